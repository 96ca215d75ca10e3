#include "ctl/cli/pcapng.h"

#include <cstring>

namespace pvland::ctl {
namespace {

constexpr uint32_t kShb = 0x0A0D0D0A;
constexpr uint32_t kIdb = 0x00000001;
constexpr uint32_t kEpb = 0x00000006;
constexpr uint16_t kLinkTypeEthernet = 1;
constexpr uint16_t kOptEnd = 0, kOptComment = 1;
constexpr uint16_t kShbUserAppl = 4;
constexpr uint16_t kIfName = 2, kIfTsresol = 9;
constexpr uint16_t kEpbFlags = 2;

template <typename T>
void Raw(std::string& b, T v) {
  b.append(reinterpret_cast<const char*>(&v), sizeof v);
}

void Pad(std::string& b) { b.append((4 - b.size() % 4) % 4, '\0'); }

void Option(std::string& b, uint16_t code, std::string_view value) {
  Raw(b, code);
  Raw(b, static_cast<uint16_t>(value.size()));
  b.append(value);
  Pad(b);
}

// Wraps a block body: type, total length, body, total length.
std::string Block(uint32_t type, std::string body) {
  Pad(body);
  std::string b;
  const uint32_t total = static_cast<uint32_t>(body.size() + 12);
  Raw(b, type);
  Raw(b, total);
  b += body;
  Raw(b, total);
  return b;
}

}  // namespace

bool PcapngWriter::Put(const std::string& block) { return std::fwrite(block.data(), 1, block.size(), out_) == block.size(); }

bool PcapngWriter::Begin() {
  std::string body;
  Raw(body, uint32_t{0x1A2B3C4D});
  Raw(body, uint16_t{1});
  Raw(body, uint16_t{0});
  Raw(body, int64_t{-1});  // section length not given
  Option(body, kShbUserAppl, "pvlanctl");
  Option(body, kOptEnd, "");
  return Put(Block(kShb, std::move(body)));
}

bool PcapngWriter::Write(std::string_view port, uint64_t time_ns, absl::Span<const uint8_t> bytes, uint32_t orig_len,
                         Direction dir, std::string_view comment) {
  auto it = interfaces_.find(port);
  if (it == interfaces_.end()) {
    std::string idb;
    Raw(idb, kLinkTypeEthernet);
    Raw(idb, uint16_t{0});
    Raw(idb, uint32_t{0});  // snaplen: no limit
    Option(idb, kIfName, port);
    Option(idb, kIfTsresol, std::string_view("\x09", 1));  // 10^-9 s
    Option(idb, kOptEnd, "");
    if (!Put(Block(kIdb, std::move(idb)))) return false;
    it = interfaces_.emplace(std::string(port), static_cast<uint32_t>(interfaces_.size())).first;
  }
  std::string epb;
  Raw(epb, it->second);
  Raw(epb, static_cast<uint32_t>(time_ns >> 32));
  Raw(epb, static_cast<uint32_t>(time_ns & 0xffffffff));
  Raw(epb, static_cast<uint32_t>(bytes.size()));
  Raw(epb, orig_len < bytes.size() ? static_cast<uint32_t>(bytes.size()) : orig_len);
  epb.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  Pad(epb);
  if (!comment.empty()) Option(epb, kOptComment, comment);
  if (dir != Direction::kUnknown) {
    const uint32_t flags = static_cast<uint32_t>(dir);
    Option(epb, kEpbFlags, std::string_view(reinterpret_cast<const char*>(&flags), sizeof flags));
  }
  Option(epb, kOptEnd, "");
  if (!Put(Block(kEpb, std::move(epb)))) return false;
  ++packets_;
  return !flush_each_ || Flush();
}

}  // namespace pvland::ctl

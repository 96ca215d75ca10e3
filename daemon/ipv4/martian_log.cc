#include "daemon/ipv4/martian_log.h"

#include "absl/strings/str_cat.h"
#include "daemon/ipv4/ipv4.h"
#include "include/pvland/ipv4_addr.h"
#include "include/pvland/strings.h"

namespace pvland::ipv4 {

std::string MartianSourceLine(Ipv4 dst, Ipv4 src, std::string_view ifname) {
  return absl::StrCat("IPv4: martian source ", FormatIpv4(dst), " from ", FormatIpv4(src),
                      ", on dev ", Av(ifname));
}

std::string MartianDestinationLine(Ipv4 dst, Ipv4 src, std::string_view ifname) {
  return absl::StrCat("IPv4: martian destination ", FormatIpv4(dst), " from ",
                      FormatIpv4(src), ", dev ", Av(ifname));
}

std::vector<std::string> LinkLayerHeaderLines(absl::Span<const uint8_t> ll_header) {
  // print_hex_dump(..., DUMP_PREFIX_OFFSET, rowsize 16, groupsize 1, ascii false)
  std::vector<std::string> lines;
  for (size_t off = 0; off < ll_header.size(); off += 16) {
    std::string line = absl::StrFormat("ll header: %08x:", off);
    for (size_t i = off; i < ll_header.size() && i < off + 16; ++i) {
      absl::StrAppend(&line, absl::StrFormat(" %02x", ll_header[i]));
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

std::vector<std::string> MartianLines(MartianKind kind, Ipv4 dst, Ipv4 src,
                                      std::string_view ifname,
                                      absl::Span<const uint8_t> ll_header) {
  std::vector<std::string> lines;
  switch (kind) {
    case MartianKind::kNone:
      break;
    case MartianKind::kSource: {
      lines.push_back(MartianSourceLine(dst, src, ifname));
      for (std::string& l : LinkLayerHeaderLines(ll_header)) lines.push_back(std::move(l));
      break;
    }
    case MartianKind::kDestination:
      lines.push_back(MartianDestinationLine(dst, src, ifname));
      break;
  }
  return lines;
}

}  // namespace pvland::ipv4

// A pcapng writer for `pvlanctl capture`: one section header, one interface description
// block per port the first time a frame of it is written (if_name = the port, nanosecond
// timestamps), and one enhanced packet block per frame with its direction (epb_flags)
// and an optional comment (opt_comment: the drop reason, which `tshark -T fields -e
// frame.comment` prints). Little-endian, as the machine writes it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>

#include "absl/types/span.h"

namespace pvland::ctl {

class PcapngWriter {
 public:
  enum class Direction : uint8_t { kUnknown = 0, kInbound = 1, kOutbound = 2 };

  // Writes to `out` (not owned). `flush_each`: fflush after every packet, for a pipe that
  // a reader follows live.
  PcapngWriter(std::FILE* out, bool flush_each) : out_(out), flush_each_(flush_each) {}

  // The section header block; call once, first. false on a write error.
  bool Begin();
  // One frame seen on port `port`. `orig_len` is its length on the wire (>= bytes).
  bool Write(std::string_view port, uint64_t time_ns, absl::Span<const uint8_t> bytes, uint32_t orig_len,
             Direction dir, std::string_view comment);
  bool Flush() { return std::fflush(out_) == 0; }
  uint64_t packets() const { return packets_; }

 private:
  bool Put(const std::string& block);

  std::FILE* out_;
  bool flush_each_;
  std::map<std::string, uint32_t, std::less<>> interfaces_;
  uint64_t packets_ = 0;
};

}  // namespace pvland::ctl

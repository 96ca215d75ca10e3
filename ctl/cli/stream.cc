#include "ctl/cli/stream.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "ctl/cli/frame_summary.h"
#include "ctl/cli/pcapng.h"
#include "ctl/proto/client.h"
#include "include/pvland/strings.h"

namespace pvland::ctl {
namespace {

volatile sig_atomic_t g_stop = 0;

void OnStop(int) { g_stop = 1; }

// SIGINT and SIGTERM end the stream; recv() returns EINTR instead of restarting.
void CatchStopSignals() {
  struct sigaction sa {};
  sa.sa_handler = OnStop;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

std::string_view Str(const AttrView& v, uint16_t type) { return v.String(type).value_or(""); }

absl::Span<const uint8_t> Frame(const AttrView& v) { return v.Binary(PVL_A_FRAME).value_or(absl::Span<const uint8_t>()); }

}  // namespace

std::string EventLine(const AttrView& v) {
  const uint64_t t = v.U64(PVL_A_TIME_NS).value_or(0);
  const std::string_view dir = Str(v, PVL_A_DIRECTION);
  std::string line = text::Cat(FormatTimeOfDay(t), " ", Str(v, PVL_A_PORT));
  if (dir == "drop") {
    text::Append(&line, " ", Str(v, PVL_A_REASON));
    if (v.Has(PVL_A_DETAIL)) text::Append(&line, " (", Str(v, PVL_A_DETAIL), ")");
  } else {
    text::Append(&line, " ", dir);
  }
  if (v.Has(PVL_A_IN_PORT)) text::Append(&line, " from ", Str(v, PVL_A_IN_PORT));
  const FrameSummary s = Summarize(Frame(v), v.U32(PVL_A_WIRE_LEN).value_or(0));
  text::Append(&line, " ", s.text);
  // The VLAN the frame was classified into, when no tag in it says so.
  if (auto vid = v.U16(PVL_A_VLAN); vid && s.vlans.empty()) text::Append(&line, " (vlan ", *vid, ")");
  return line;
}

std::string EventJson(const AttrView& v) {
  nlohmann::ordered_json j;
  const uint64_t t = v.U64(PVL_A_TIME_NS).value_or(0);
  j["time"] = FormatIsoTime(t);
  j["time_ns"] = t;
  j["dir"] = Str(v, PVL_A_DIRECTION);
  j["port"] = Str(v, PVL_A_PORT);
  if (v.Has(PVL_A_IN_PORT)) j["in_port"] = Str(v, PVL_A_IN_PORT);
  if (v.Has(PVL_A_REASON)) j["reason"] = Str(v, PVL_A_REASON);
  if (v.Has(PVL_A_DETAIL)) j["detail"] = Str(v, PVL_A_DETAIL);
  if (auto vid = v.U16(PVL_A_VLAN)) j["vlan"] = *vid;
  const FrameSummary s = Summarize(Frame(v), v.U32(PVL_A_WIRE_LEN).value_or(0));
  j["len"] = v.U32(PVL_A_WIRE_LEN).value_or(0);
  if (!s.src_mac.empty()) {
    j["src_mac"] = s.src_mac;
    j["dst_mac"] = s.dst_mac;
  }
  if (!s.vlans.empty()) j["tags"] = s.vlans;
  if (s.ethertype >= 0) j["ethertype"] = s.ethertype;
  if (!s.ip_src.empty()) {
    j["src_ip"] = s.ip_src;
    j["dst_ip"] = s.ip_dst;
  }
  if (!s.proto.empty()) j["proto"] = s.proto;
  if (s.sport >= 0) {
    j["sport"] = s.sport;
    j["dport"] = s.dport;
  }
  j["summary"] = s.text;
  j["lost"] = v.U64(PVL_A_LOST).value_or(0);
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string DropComment(const AttrView& v) {
  std::string c = text::Cat(Str(v, PVL_A_REASON), " on ", Str(v, PVL_A_PORT));
  if (v.Has(PVL_A_IN_PORT)) text::Append(&c, " (from ", Str(v, PVL_A_IN_PORT), ")");
  if (v.Has(PVL_A_DETAIL)) text::Append(&c, ": ", Str(v, PVL_A_DETAIL));
  return c;
}

int RunStream(const std::string& sock, const Command& c, OutputFormat f, std::ostream& out, std::ostream& err) {
  std::FILE* file = nullptr;
  bool close_file = false;
  if (c.stream == StreamKind::kCapture) {
    if (c.write_to == "-") {
      if (isatty(STDOUT_FILENO)) {
        err << "pvlanctl: capture -w -: standard output is a terminal; redirect it to a file or a pipe\n";
        return 1;
      }
      file = stdout;
    } else {
      file = std::fopen(c.write_to.c_str(), "wb");
      if (file == nullptr) {
        err << "pvlanctl: cannot write " << c.write_to << ": " << std::strerror(errno) << "\n";
        return 1;
      }
      close_file = true;
    }
  }
  auto client = Client::Connect(sock);
  if (!client.ok()) {
    err << "pvlanctl: " << client.status().message() << "\n";
    return 1;
  }
  CatchStopSignals();
  auto reply = client->Exchange(c.request);
  if (!reply.ok() || reply->error != 0) {
    err << "pvlanctl: " << (reply.ok() ? ReplyError(*reply) : std::string(reply.status().message())) << "\n";
    if (close_file) std::fclose(file);
    return 1;
  }
  struct stat st {};
  const bool flush_each = file != nullptr && (fstat(fileno(file), &st) != 0 || !S_ISREG(st.st_mode));
  PcapngWriter pcap(file, flush_each);
  if (file != nullptr && !pcap.Begin()) {
    err << "pvlanctl: cannot write the capture\n";
    return 1;
  }
  if (file != nullptr) pcap.Flush();
  uint64_t events = 0, lost = 0;
  int rc = 0;
  bool output_closed = false;
  while (!g_stop && !output_closed) {
    auto msgs = client->Receive();
    if (!msgs.ok()) {
      if (absl::IsCancelled(msgs.status())) continue;
      if (!absl::IsUnavailable(msgs.status())) {
        err << "pvlanctl: " << msgs.status().message() << "\n";
        rc = 1;
      }
      break;
    }
    for (const Message& m : *msgs) {
      if (m.type != PVL_MSG_CTL || m.cmd != PVL_CMD_MONITOR) continue;
      auto v = m.Attrs();
      if (!v.ok()) continue;
      ++events;
      if (const uint64_t l = v->U64(PVL_A_LOST).value_or(0); l > lost) {
        err << "pvlanctl: " << l << " events lost so far (not read fast enough)\n";
        lost = l;
      }
      if (file != nullptr) {
        const bool drop = Str(*v, PVL_A_DIRECTION) == "drop";
        const std::string_view dir = Str(*v, PVL_A_DIRECTION);
        const auto d = dir == "rx"   ? PcapngWriter::Direction::kInbound
                       : dir == "tx" ? PcapngWriter::Direction::kOutbound
                                     : PcapngWriter::Direction::kUnknown;
        const absl::Span<const uint8_t> bytes = Frame(*v);
        if (!pcap.Write(Str(*v, PVL_A_PORT), v->U64(PVL_A_TIME_NS).value_or(0), bytes,
                        v->U32(PVL_A_WIRE_LEN).value_or(static_cast<uint32_t>(bytes.size())), d,
                        drop ? DropComment(*v) : std::string())) {
          output_closed = true;  // the reader went away (a pipe closed): a normal end
          break;
        }
      } else {
        out << (f == OutputFormat::kText ? EventLine(*v) : EventJson(*v)) << "\n" << std::flush;
        if (!out) {
          output_closed = true;
          break;
        }
      }
    }
  }
  if (file != nullptr) {
    std::fflush(file);
    if (close_file) std::fclose(file);
  }
  err << "pvlanctl: " << events << (c.stream == StreamKind::kCapture ? " packets captured" : " drops shown")
      << ", " << lost << " lost\n";
  return rc;
}

}  // namespace pvland::ctl

// Drop observability: monitor drops [PORT] | monitor show, capture PORT|drops -w FILE
// [FILTER], why [PORT] [-n N]. monitor and capture turn the connection into a stream
// (Command::stream); the capture filter is a tcpdump expression compiled here, with
// libpcap, into the BPF program pvland runs on each frame.
#include <pcap/pcap.h>

#include <memory>

#include "ctl/cli/args.h"
#include "ctl/cli/values.h"
#include "include/pvland/strings.h"

namespace pvland::ctl {

absl::StatusOr<std::vector<uint8_t>> CompileCaptureFilter(const std::string& expr) {
  std::unique_ptr<pcap_t, void (*)(pcap_t*)> dead(pcap_open_dead(DLT_EN10MB, 65535), pcap_close);
  if (!dead) return absl::InternalError("pcap_open_dead failed");
  bpf_program prog{};
  if (pcap_compile(dead.get(), &prog, expr.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
    return absl::InvalidArgumentError(text::Cat("filter '", expr, "': ", pcap_geterr(dead.get())));
  std::vector<uint8_t> bytes(reinterpret_cast<const uint8_t*>(prog.bf_insns),
                             reinterpret_cast<const uint8_t*>(prog.bf_insns + prog.bf_len));
  pcap_freecode(&prog);
  return bytes;
}

}  // namespace pvland::ctl

namespace pvland::ctl::grammar {
namespace {

// The largest frame copy pvland puts in one event (daemon/observe/observer.h).
constexpr uint32_t kCaptureSnaplen = 65000;

absl::StatusOr<Command> MonitorDrops(Args& a, uint32_t seq) {
  MessageBuilder b = NewRequest(PVL_CMD_MONITOR, seq, false);
  b.PutString(PVL_A_STREAM, "drops");
  if (!a.empty()) {
    const std::string_view name = a.Next();
    if (absl::Status s = CheckIfName(name); !s.ok()) return a.Wrap(s);
    b.PutString(PVL_A_NAME, name);
  }
  if (absl::Status s = a.Done(); !s.ok()) return s;
  auto c = Finish(PVL_CMD_MONITOR, b, a);
  if (c.ok()) c->stream = StreamKind::kMonitor;
  return c;
}

absl::StatusOr<Command> MonitorShow(Args& a, uint32_t seq) {
  if (absl::Status s = a.Done(); !s.ok()) return s;
  return Finish(PVL_CMD_MONITOR_GET, NewRequest(PVL_CMD_MONITOR_GET, seq, true), a);
}

// capture PORT|drops -w FILE|- [FILTER ...]
absl::StatusOr<Command> Capture(Args& a, uint32_t seq) {
  auto target = a.Need("PORT or 'drops'");
  if (!target.ok()) return target.status();
  MessageBuilder b = NewRequest(PVL_CMD_MONITOR, seq, false);
  if (*target == "drops") {
    b.PutString(PVL_A_STREAM, "drops");
  } else {
    if (absl::Status s = CheckIfName(*target); !s.ok()) return a.Wrap(s);
    b.PutString(PVL_A_STREAM, "port");
    b.PutString(PVL_A_NAME, *target);
  }
  if (a.Peek() != "-w") {
    if (a.empty()) return a.Error("missing -w FILE (\"-\": standard output)");
    return a.Error(text::Cat("expected -w FILE after ", *target, ", got '", a.Peek(), "'"));
  }
  a.Next();
  auto file = a.Need("FILE after -w (\"-\": standard output)");
  if (!file.ok()) return file.status();
  std::string expr;
  while (!a.empty()) text::Append(&expr, expr.empty() ? "" : " ", a.Next());
  if (!expr.empty()) {
    auto prog = CompileCaptureFilter(expr);
    if (!prog.ok()) return a.Wrap(prog.status());
    b.PutBinary(PVL_A_FILTER, *prog);
  }
  b.PutU32(PVL_A_SNAPLEN, kCaptureSnaplen);
  auto c = Finish(PVL_CMD_MONITOR, b, a);
  if (c.ok()) {
    c->stream = StreamKind::kCapture;
    c->write_to = std::string(*file);
  }
  return c;
}

// why [PORT] [-n N]
absl::StatusOr<Command> Why(Args& a, uint32_t seq) {
  MessageBuilder b = NewRequest(PVL_CMD_WHY_GET, seq, true);
  bool have_port = false, have_n = false;
  while (!a.empty()) {
    const std::string_view w = a.Next();
    if (w == "-n") {
      if (have_n) return a.Error("-n given twice");
      auto v = a.Need("N after -n");
      if (!v.ok()) return v.status();
      auto n = ParseUint(*v, 1, 256, "-n");
      if (!n.ok()) return a.Wrap(n.status());
      b.PutU32(PVL_A_LIMIT, static_cast<uint32_t>(*n));
      have_n = true;
      continue;
    }
    if (have_port) return a.Error(text::Cat("unexpected argument '", w, "'"));
    if (absl::Status s = CheckIfName(w); !s.ok()) return a.Wrap(s);
    b.PutString(PVL_A_NAME, w);
    have_port = true;
  }
  return Finish(PVL_CMD_WHY_GET, b, a);
}

}  // namespace

const Object& MonitorObject() {
  static const Object* const kMonitor = new Object{
      "monitor",
      {{"drops", "monitor drops [PORT]", MonitorDrops}, {"show", "monitor show", MonitorShow}},
      nullptr,
      {"  one line per dropped frame (on PORT, or of a frame PORT received) until interrupted;",
       "  -j: one JSON object a line; show lists the monitors and captures with their lost counts"}};
  return *kMonitor;
}

const Object& CaptureObject() {
  static const Object* const kCapture = new Object{
      "capture",
      {},
      Capture,
      {"capture PORT|drops -w FILE|- [FILTER]",
       "  pcapng of what PORT receives and sends, or of every dropped frame with its reason as",
       "  the packet comment; FILTER is a tcpdump expression; \"-w -\" writes to standard output"}};
  return *kCapture;
}

const Object& WhyObject() {
  static const Object* const kWhy = new Object{
      "why",
      {},
      Why,
      {"why [PORT] [-n N]",
       "  the last N drops (default 10, at most 256), on PORT or of frames PORT received: the rule,",
       "  the settings that decided it, and what would have let the frame through"}};
  return *kWhy;
}

}  // namespace pvland::ctl::grammar

// The control-message decoder on both sides of the socket: datagrams from the input go to
// the daemon's dispatcher and handlers (ParseMessages, AttrView, every handler's
// validation) over a real Bridge with fake ports, and the replies it sends must parse and
// print. With the first byte odd, each datagram is also read as a reply from a daemon and
// printed as pvlanctl would, so a malformed reply is tested as well.
//
// Input: one flags byte, then datagrams, each a 2-byte big-endian length and its bytes.
#include <cstdint>
#include <vector>

#include "tests/fuzz/control_harness.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pvland;
  fuzz::FuzzInput in(data, size);
  const bool as_reply = in.Bool();
  fuzz::ControlHarness control;
  for (int n = 0; n < 16 && !in.empty(); ++n) {
    const std::vector<uint8_t> datagram = in.Bytes(in.U16() % (PVL_CTL_MSG_MAX + 1));
    control.Handle(datagram.data(), datagram.size());
    if (!as_reply) continue;
    auto msgs = ctl::ParseMessages(datagram.data(), datagram.size());
    if (!msgs.ok()) continue;
    ctl::Reply reply;
    uint8_t cmd = 0;
    for (ctl::Message& m : *msgs) {
      if (m.type == NLMSG_ERROR) {
        reply.error = m.error;
        reply.error_msg = m.error_msg;
      } else {
        cmd = m.cmd;
        reply.records.push_back(std::move(m));
      }
    }
    fuzz::ControlHarness::Print(cmd, reply);
  }
  return 0;
}

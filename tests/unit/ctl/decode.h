// Test helpers: render a control message as one canonical line so tables of expected
// requests and replies stay readable, e.g.
//   "PORT_SET name=p1 vlan=10 isolated=on"
//   "SYSCTL_SET settings=[{key=a value=1}]"   (flags: " dump" after the command)
// Written against AttrView's typed getters only, independently of the printer under
// test, so a printer bug cannot hide in both sides of a comparison.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ctl/proto/message.h"

namespace pvland::ctl::testing {

// One request (exactly one message, type PVL_MSG_CTL, NLM_F_REQUEST) as a line; a
// malformed request is rendered as "ERROR: why".
std::string DescribeRequest(const std::vector<uint8_t>& bytes, uint32_t* seq = nullptr);

// The attributes of one level, space-separated "key=value".
std::string DescribeAttrs(const AttrView& v);

// A reply record (PVL_MSG_CTL, NLM_F_MULTI) for `cmd` with attributes written by `fill`.
template <typename Fill>
Message Record(uint8_t cmd, Fill fill, uint32_t seq = 1);

// Decodes bytes built by MessageBuilder back into a Message.
Message ToMessage(const MessageBuilder& b);

template <typename Fill>
Message Record(uint8_t cmd, Fill fill, uint32_t seq) {
  MessageBuilder b(PVL_MSG_CTL, NLM_F_MULTI, seq, cmd);
  fill(b);
  return ToMessage(b);
}

}  // namespace pvland::ctl::testing

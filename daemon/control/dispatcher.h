// Decodes one control request, runs its handler, and produces the reply messages.
// The same path serves the Unix socket and `pvland -c FILE`.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "ctl/proto/message.h"
#include "daemon/bridge/bridge.h"
#include "daemon/core/clock.h"
#include "daemon/dataplane/dataplane.h"
#include "daemon/observe/observer.h"
#include "daemon/router/router.h"

namespace pvland {

// Records of one reply; each Add() starts a new PVL_MSG_CTL record for the request.
class ReplyRecords {
 public:
  ReplyRecords(uint8_t cmd, uint32_t seq) : cmd_(cmd), seq_(seq) {}
  // The record Add() returned before is complete (handlers fill one record at a time) and
  // is sealed to its size.
  ctl::MessageBuilder& Add() {
    if (!records_.empty()) records_.back().Seal();
    return records_.emplace_back(PVL_MSG_CTL, NLM_F_MULTI, seq_, cmd_);
  }
  const std::vector<ctl::MessageBuilder>& records() const { return records_; }

  // A request that turns its connection into a subscription (monitor, capture) says so
  // here; the server hands the connection to the observer after the ack.
  void Subscribe(SubscribeSpec spec) { subscription_ = std::move(spec); }
  std::optional<SubscribeSpec>& subscription() { return subscription_; }

 private:
  uint8_t cmd_;
  uint32_t seq_;
  std::vector<ctl::MessageBuilder> records_;
  std::optional<SubscribeSpec> subscription_;
};

// What handlers may touch.
struct ControlContext {
  Bridge& bridge;
  Dataplane& dataplane;
  const Clock& clock;
  Router* router = nullptr;  // null: no L3 router (sysctl and route commands unavailable)
  Observer* observer = nullptr;  // null: no drop records (monitor, capture and why unavailable)
};

// The port a request names, or the error every command gives for an unknown one.
absl::StatusOr<uint16_t> PortByName(const Bridge& bridge, std::string_view name);

using Handler = std::function<absl::Status(ControlContext&, const ctl::AttrView&, ReplyRecords&)>;

class Dispatcher {
 public:
  explicit Dispatcher(ControlContext ctx);
  void Register(uint8_t cmd, Handler h);

  // Handles every request in `datagram`; `send` receives reply datagrams, each at most
  // PVL_CTL_MSG_MAX bytes, the last ending with the request's NLMSG_ERROR. Returns the
  // subscription a successful monitor request asked for (requests after it in the same
  // datagram are not read).
  std::optional<SubscribeSpec> HandleDatagram(const uint8_t* data, size_t len,
                                              const std::function<void(const std::vector<uint8_t>&)>& send);

  // Runs one encoded request locally (pvland -c); returns its final status.
  absl::Status RunLocal(const std::vector<uint8_t>& request);

 private:
  absl::Status Handle(const ctl::Message& req, ReplyRecords& out);

  ControlContext ctx_;
  std::vector<Handler> handlers_;
};

// Handler sets, one file per object.
void RegisterPortHandlers(Dispatcher& d);
void RegisterVlanHandlers(Dispatcher& d);
void RegisterFdbHandlers(Dispatcher& d);
void RegisterStatsHandlers(Dispatcher& d);
void RegisterL3Handlers(Dispatcher& d);
void RegisterObserveHandlers(Dispatcher& d);
void RegisterConntrackHandlers(Dispatcher& d);
void RegisterSaveHandlers(Dispatcher& d);  // config_save.cc
void RegisterMirrorHandlers(Dispatcher& d);

// "unicast", "blackhole", ...: a route type as `ip route` names it.
std::string_view RouteTypeName(ipv4::RouteType t);

}  // namespace pvland

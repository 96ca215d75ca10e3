#include "daemon/control/dispatcher.h"

#include <cerrno>

#include "absl/strings/str_cat.h"

namespace pvland {
namespace {

int StatusToErrno(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kOk: return 0;
    case absl::StatusCode::kInvalidArgument: return EINVAL;
    case absl::StatusCode::kNotFound: return ENOENT;
    case absl::StatusCode::kAlreadyExists: return EEXIST;
    case absl::StatusCode::kPermissionDenied: return EPERM;
    case absl::StatusCode::kResourceExhausted: return ENOSPC;
    case absl::StatusCode::kFailedPrecondition: return EBUSY;
    case absl::StatusCode::kUnimplemented: return EOPNOTSUPP;
    case absl::StatusCode::kOutOfRange: return ERANGE;
    default: return EIO;
  }
}

}  // namespace

absl::StatusOr<uint16_t> PortByName(const Bridge& bridge, std::string_view name) {
  auto idx = bridge.FindPort(name);
  if (!idx) return absl::NotFoundError(absl::StrCat("no port named '", std::string(name), "'"));
  return *idx;
}

Dispatcher::Dispatcher(ControlContext ctx) : ctx_(ctx), handlers_(PVL_CMD_COUNT) {
  RegisterPortHandlers(*this);
  RegisterVlanHandlers(*this);
  RegisterFdbHandlers(*this);
  RegisterStatsHandlers(*this);
  RegisterL3Handlers(*this);
  RegisterObserveHandlers(*this);
  RegisterConntrackHandlers(*this);
  RegisterSaveHandlers(*this);
  RegisterMirrorHandlers(*this);
}

void Dispatcher::Register(uint8_t cmd, Handler h) { handlers_.at(cmd) = std::move(h); }

absl::Status Dispatcher::Handle(const ctl::Message& req, ReplyRecords& out) {
  // What only pvland sends (acks, errors, reply records) is not taken back as a request.
  if (req.type == NLMSG_ERROR)
    return absl::InvalidArgumentError("an NLMSG_ERROR is pvland's answer to a request, not a request");
  if (req.type != PVL_MSG_CTL)
    return absl::InvalidArgumentError(absl::StrCat("message type ", req.type, " is not a control request"));
  if ((req.flags & NLM_F_REQUEST) == 0)
    return absl::InvalidArgumentError("a message without NLM_F_REQUEST (a reply record) is not a request");
  if (req.cmd >= handlers_.size() || !handlers_[req.cmd])
    return absl::UnimplementedError(absl::StrCat("command ", req.cmd, " (", std::string(ctl::CmdName(req.cmd)),
                                                 ") is not supported by this pvland"));
  auto attrs = req.Attrs();
  if (!attrs.ok()) return attrs.status();
  return handlers_[req.cmd](ctx_, *attrs, out);
}

std::optional<SubscribeSpec> Dispatcher::HandleDatagram(const uint8_t* data, size_t len,
                                                        const std::function<void(const std::vector<uint8_t>&)>& send) {
  auto msgs = ctl::ParseMessages(data, len);
  if (!msgs.ok()) {
    send(ctl::BuildAck(0, -EINVAL, std::string(msgs.status().message())));
    return std::nullopt;
  }
  for (const ctl::Message& req : *msgs) {
    ReplyRecords out(req.cmd, req.seq);
    absl::Status s = Handle(req, out);
    std::vector<uint8_t> datagram;
    if (s.ok()) {
      for (const auto& rec : out.records()) {
        if (rec.overflowed()) {
          s = absl::ResourceExhaustedError("a reply record does not fit in one message");
          break;
        }
        if (datagram.size() + rec.size() > PVL_CTL_MSG_MAX) {
          send(datagram);
          datagram.clear();
        }
        datagram.insert(datagram.end(), rec.bytes().begin(), rec.bytes().end());
      }
    }
    std::vector<uint8_t> ack = ctl::BuildAck(req.seq, -StatusToErrno(s), s.ok() ? std::string() : std::string(s.message()));
    if (datagram.size() + ack.size() > PVL_CTL_MSG_MAX) {
      send(datagram);
      datagram.clear();
    }
    if (!s.ok()) datagram.clear();  // a failed request returns no partial records
    datagram.insert(datagram.end(), ack.begin(), ack.end());
    send(datagram);
    if (s.ok() && out.subscription()) return std::move(out.subscription());
  }
  return std::nullopt;
}

absl::Status Dispatcher::RunLocal(const std::vector<uint8_t>& request) {
  auto msgs = ctl::ParseMessages(request.data(), request.size());
  if (!msgs.ok()) return msgs.status();
  for (const ctl::Message& req : *msgs) {
    ReplyRecords out(req.cmd, req.seq);
    if (auto s = Handle(req, out); !s.ok()) return s;
    if (out.subscription())
      return absl::FailedPreconditionError("monitor and capture stream to a pvlanctl connection, not a start-up file");
  }
  return absl::OkStatus();
}

}  // namespace pvland

// conntrack show | flush: the connections protocol state filtering tracks on each port
// (docs/psf.md).
#include "absl/strings/str_cat.h"
#include "daemon/control/dispatcher.h"
#include "include/pvland/ipv4_addr.h"

namespace pvland {
namespace {

std::string Endpoint(const psf::IpAddr& a, uint16_t port) {
  if (psf::IsIpv4Mapped(a)) {
    const uint32_t v4 = static_cast<uint32_t>(a[12]) << 24 | a[13] << 16 | a[14] << 8 | a[15];
    return absl::StrCat(FormatIpv4(v4), ":", port);
  }
  return absl::StrCat("[ipv6]:", port);
}

std::string Window(const psf::TcpConn& c, psf::CtDir d) {
  const psf::TcpSide& s = c.side(d);
  return absl::StrCat("end ", s.end, " maxend ", s.maxend, " maxwin ", s.maxwin, " scale ", c.scale(d));
}

void PutEntry(const SwitchPort& port, const psf::FlowEntry& e, MonoNs now, ctl::MessageBuilder& m) {
  const bool a_opened = e.origin_is_a();
  m.PutString(PVL_A_PORT, port.name);
  m.PutU16(PVL_A_VLAN, e.key.vid);
  m.PutString(PVL_A_SRC, a_opened ? Endpoint(e.key.addr_a, e.key.port_a) : Endpoint(e.key.addr_b, e.key.port_b));
  m.PutString(PVL_A_DST, a_opened ? Endpoint(e.key.addr_b, e.key.port_b) : Endpoint(e.key.addr_a, e.key.port_a));
  m.PutString(PVL_A_ORIGIN_DIR, psf::PortDirName(e.origin_dir()));
  m.PutString(PVL_A_STATE, psf::TcpStateName(e.conn.state()));
  m.PutU64(PVL_A_EXPIRES_MS, e.expires > now ? static_cast<uint64_t>((e.expires - now) / 1000000) : 0);
  m.PutString(PVL_A_WINDOW, absl::StrCat("original: ", Window(e.conn, psf::CtDir::kOriginal), "; reply: ",
                                         Window(e.conn, psf::CtDir::kReply)));
}

// The port named by PVL_A_PORT, or every port.
absl::StatusOr<std::vector<uint16_t>> Ports(ControlContext& ctx, const ctl::AttrView& a) {
  std::vector<uint16_t> out;
  if (auto name = a.String(PVL_A_NAME)) {
    auto idx = PortByName(ctx.bridge, *name);
    if (!idx.ok()) return idx.status();
    if (ctx.bridge.port(*idx)->psf == nullptr)
      return absl::FailedPreconditionError(absl::StrCat(std::string(*name), " has no protocol state filtering (psf is not enabled)"));
    out.push_back(*idx);
    return out;
  }
  for (size_t i = 0; i < ctx.bridge.port_slots(); ++i)
    if (const SwitchPort* p = ctx.bridge.port(static_cast<uint16_t>(i)); p != nullptr && p->psf) out.push_back(static_cast<uint16_t>(i));
  return out;
}

absl::Status ConntrackGet(ControlContext& ctx, const ctl::AttrView& a, ReplyRecords& out) {
  auto ports = Ports(ctx, a);
  if (!ports.ok()) return ports.status();
  const MonoNs now = ctx.clock.Now();
  for (uint16_t i : *ports) {
    const SwitchPort& p = *ctx.bridge.port(i);
    p.psf->ForEach([&](const psf::FlowEntry& e) {
      if (e.expires > now) PutEntry(p, e, now, out.Add());
    });
  }
  return absl::OkStatus();
}

absl::Status ConntrackFlush(ControlContext& ctx, const ctl::AttrView& a, ReplyRecords&) {
  auto ports = Ports(ctx, a);
  if (!ports.ok()) return ports.status();
  for (uint16_t i : *ports) ctx.bridge.port(i)->psf->Flush();
  return absl::OkStatus();
}

}  // namespace

void RegisterConntrackHandlers(Dispatcher& d) {
  d.Register(PVL_CMD_CONNTRACK_GET, ConntrackGet);
  d.Register(PVL_CMD_CONNTRACK_FLUSH, ConntrackFlush);
}

}  // namespace pvland

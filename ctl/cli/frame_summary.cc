#include "ctl/cli/frame_summary.h"

#include <time.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "include/pvland/ipv4_addr.h"
#include "include/pvland/types.h"

namespace pvland::ctl {
namespace {

uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t Be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 | static_cast<uint32_t>(p[2]) << 8 | p[3];
}

std::string IcmpType(uint8_t type, uint8_t code) {
  switch (type) {
    case 0: return "echo-reply";
    case 3: return absl::StrCat("unreachable code ", code);
    case 8: return "echo-request";
    case 11: return "time-exceeded";
    default: return absl::StrCat("type ", type, " code ", code);
  }
}

// The IPv4 part of the summary, from the header at `ip` with `n` bytes available.
void Ipv4(const uint8_t* ip, size_t n, FrameSummary& s, std::string& text) {
  if (n < 20 || (ip[0] >> 4) != 4) {
    absl::StrAppend(&text, " ipv4 (truncated)");
    return;
  }
  const size_t ihl = (ip[0] & 15) * 4u;
  const uint8_t proto = ip[9];
  const bool later_fragment = (Be16(ip + 6) & 0x1fff) != 0;
  s.ip_src = FormatIpv4(Be32(ip + 12));
  s.ip_dst = FormatIpv4(Be32(ip + 16));
  const uint8_t* l4 = ip + ihl;
  const size_t l4n = n > ihl ? n - ihl : 0;
  switch (proto) {
    case 6: s.proto = "tcp"; break;
    case 17: s.proto = "udp"; break;
    case 1: s.proto = "icmp"; break;
    default: s.proto = absl::StrCat("ip proto ", proto); break;
  }
  if ((proto == 6 || proto == 17) && !later_fragment && l4n >= 4 && ihl >= 20) {
    s.sport = Be16(l4);
    s.dport = Be16(l4 + 2);
    absl::StrAppend(&text, " ipv4 ", s.ip_src, ":", s.sport, " > ", s.ip_dst, ":", s.dport, " ", s.proto);
  } else if (proto == 1 && !later_fragment && l4n >= 2 && ihl >= 20) {
    absl::StrAppend(&text, " ipv4 ", s.ip_src, " > ", s.ip_dst, " icmp ", IcmpType(l4[0], l4[1]));
  } else {
    absl::StrAppend(&text, " ipv4 ", s.ip_src, " > ", s.ip_dst, " ", s.proto);
  }
}

void Arp(const uint8_t* a, size_t n, FrameSummary& s, std::string& text) {
  s.proto = "arp";
  if (n < 28 || Be16(a) != 1 || Be16(a + 2) != 0x0800 || a[4] != 6 || a[5] != 4) {
    absl::StrAppend(&text, " arp");
    return;
  }
  s.ip_src = FormatIpv4(Be32(a + 14));
  s.ip_dst = FormatIpv4(Be32(a + 24));
  const uint16_t op = Be16(a + 6);
  if (op == 1)
    absl::StrAppend(&text, " arp who-has ", s.ip_dst, " tell ", s.ip_src);
  else if (op == 2)
    absl::StrAppend(&text, " arp reply ", s.ip_src, " is-at ", FormatMac(a + 8));
  else
    absl::StrAppend(&text, " arp op ", op);
}

}  // namespace

FrameSummary Summarize(absl::Span<const uint8_t> f, uint32_t wire_len) {
  FrameSummary s;
  std::string text;
  if (f.size() < 12) {
    s.text = absl::StrCat("runt len ", wire_len);
    return s;
  }
  s.dst_mac = FormatMac(f.data());
  s.src_mac = FormatMac(f.data() + 6);
  text = absl::StrCat(s.src_mac, " > ", s.dst_mac);
  size_t off = 12;
  while (off + 2 <= f.size()) {
    const uint16_t t = Be16(f.data() + off);
    if ((t == 0x8100 || t == 0x88a8) && off + 4 <= f.size()) {
      s.vlans.push_back(Be16(f.data() + off + 2) & 0x0fff);
      absl::StrAppend(&text, t == 0x88a8 ? " s-vlan " : " vlan ", s.vlans.back());
      off += 4;
      continue;
    }
    if (t == 0x8100 || t == 0x88a8) {
      absl::StrAppend(&text, " vlan (truncated)");
      off = f.size();
      break;
    }
    s.ethertype = t;
    off += 2;
    break;
  }
  const uint8_t* l3 = f.data() + std::min(off, f.size());
  const size_t n = off < f.size() ? f.size() - off : 0;
  switch (s.ethertype) {
    case -1: break;
    case 0x0800: Ipv4(l3, n, s, text); break;
    case 0x0806: Arp(l3, n, s, text); break;
    case 0x86dd:
      s.proto = "ipv6";
      absl::StrAppend(&text, " ipv6");
      if (n >= 40) absl::StrAppend(&text, " next-header ", l3[6]);
      break;
    default:
      if (s.ethertype < 0x0600)
        absl::StrAppend(&text, " 802.3 length ", s.ethertype);
      else
        absl::StrAppend(&text, absl::StrFormat(" ethertype 0x%04x", s.ethertype));
  }
  absl::StrAppend(&text, " len ", wire_len);
  s.text = std::move(text);
  return s;
}

std::string FormatTimeOfDay(uint64_t time_ns) {
  const time_t secs = static_cast<time_t>(time_ns / 1000000000);
  tm t;
  localtime_r(&secs, &t);
  return absl::StrFormat("%02d:%02d:%02d.%06d", t.tm_hour, t.tm_min, t.tm_sec,
                         static_cast<int>(time_ns % 1000000000 / 1000));
}

std::string FormatIsoTime(uint64_t time_ns) {
  const time_t secs = static_cast<time_t>(time_ns / 1000000000);
  tm t;
  gmtime_r(&secs, &t);
  return absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02d.%09dZ", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour,
                         t.tm_min, t.tm_sec, static_cast<int>(time_ns % 1000000000));
}

}  // namespace pvland::ctl

// pvland: the daemon. Serves the control socket in the network namespace it starts in;
// needs no configuration; `-c FILE` runs pvlanctl commands at start-up.
//
// Options are parsed with getopt_long: the contract is a few single-letter options in
// the style of ip(8), plus long ones, which absl::flags does not model.
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "ctl/cli/grammar.h"
#include "daemon/bridge/bridge.h"
#include "daemon/control/dispatcher.h"
#include "daemon/control/server.h"
#include "daemon/core/clock.h"
#include "daemon/core/event_loop.h"
#include "daemon/core/instance.h"
#include "daemon/core/log.h"
#include "daemon/dataplane/dataplane.h"
#include "daemon/observe/observer.h"
#include "daemon/router/router.h"
#include "netlink/foreign_link.h"

namespace pvland {
namespace {

void Usage(FILE* out) {
  std::fprintf(out,
               "usage: pvland [-s SOCKET] [-c FILE] [--group NAME] [-v] [-h]\n"
               "  -s, --socket SOCKET  control socket (default %s)\n"
               "  -c, --config FILE    run the pvlanctl commands in FILE at start-up (one per line, # comments)\n"
               "      --group NAME     also serve members of group NAME on the socket (mode 0660)\n"
               "  -v, --verbose        log debug messages\n"
               "  -h, --help           print this help\n",
               PVL_CTL_DEFAULT_SOCK);
}

absl::StatusOr<gid_t> GroupByName(const std::string& name) {
  std::vector<char> buf(16384);
  group gr{};
  group* found = nullptr;
  const int rc = getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &found);
  if (rc != 0) return absl::ErrnoToStatus(rc, "group " + name);
  if (found == nullptr) return absl::NotFoundError("no group named '" + name + "'");
  return found->gr_gid;
}

// Each control client is a descriptor: take what the hard limit allows.
void RaiseFileLimit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &rl);
  }
}

// Runs a start-up file through the same grammar and handlers as pvlanctl -b.
absl::Status RunConfigFile(const std::string& path, Dispatcher& dispatcher) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError("cannot open " + path);
  std::string line;
  for (int lineno = 1; std::getline(in, line); ++lineno) {
    auto words = ctl::SplitLine(line);
    absl::Status s = words.status();
    if (s.ok() && !words->empty()) {
      auto cmd = ctl::ParseCommand(*words, static_cast<uint32_t>(lineno));
      if (cmd.ok() && cmd->cmd == PVL_CMD_CONFIG_GET)
        s = absl::InvalidArgumentError("save writes a configuration out; it is no start-up command");
      else
        s = cmd.ok() ? dispatcher.RunLocal(cmd->request) : cmd.status();
    }
    if (!s.ok()) return absl::Status(s.code(), path + ":" + std::to_string(lineno) + ": " + std::string(s.message()));
  }
  return absl::OkStatus();
}

int Main(int argc, char** argv) {
  std::string sock = PVL_CTL_DEFAULT_SOCK;
  std::string config;
  ControlAccess access;
  access.daemon_uid = geteuid();
  enum { kOptGroup = 256 };
  static const option kLongOptions[] = {
      {"socket", required_argument, nullptr, 's'}, {"config", required_argument, nullptr, 'c'},
      {"group", required_argument, nullptr, kOptGroup}, {"verbose", no_argument, nullptr, 'v'},
      {"help", no_argument, nullptr, 'h'},         {nullptr, 0, nullptr, 0},
  };
  int opt;
  while ((opt = getopt_long(argc, argv, "s:c:vh", kLongOptions, nullptr)) != -1) {
    switch (opt) {
      case 's': sock = optarg; break;
      case 'c': config = optarg; break;
      case kOptGroup: {
        auto gid = GroupByName(optarg);
        if (!gid.ok()) {
          std::fprintf(stderr, "pvland: --group: %s\n", std::string(gid.status().message()).c_str());
          return 2;
        }
        access.group = *gid;
        access.group_name = optarg;
        break;
      }
      case 'v': SetLogLevel(LogLevel::kDebug); break;
      case 'h': Usage(stdout); return 0;
      default: Usage(stderr); return 2;
    }
  }
  if (optind != argc) {
    Usage(stderr);
    return 2;
  }

  // Before anything touches the namespace: is another instance serving this socket?
  // Destroyed last, so the lock is held until everything else is gone.
  auto canonical = CanonicalSocketPath(sock);
  if (!canonical.ok()) {
    std::fprintf(stderr, "pvland: %s\n", std::string(canonical.status().message()).c_str());
    return 1;
  }
  sock = *canonical;
  auto lock = InstanceLock::Acquire(sock);
  if (!lock.ok()) {
    std::fprintf(stderr, "pvland: %s\n", std::string(lock.status().message()).c_str());
    return 1;
  }
  if (lock->previous().pid != 0)
    PVL_LOG(kWarning, "the previous pvland of %s (pid %d) did not stop cleanly; taking over its socket and tables",
            sock, lock->previous().pid);
  const std::string nft_table = NftTableName(sock);
  RaiseFileLimit();

  signal(SIGPIPE, SIG_IGN);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigprocmask(SIG_BLOCK, &stop_signals, nullptr);
  UniqueFd sigfd(signalfd(-1, &stop_signals, SFD_NONBLOCK | SFD_CLOEXEC));

  EventLoop loop;
  Bridge bridge;
  const Clock& clock = SystemClock::Get();
  netlink::RtnlSyncOptions sync;
  // The rtnetlink receive buffer (docs/cli.md, Environment): tests shrink it to make the
  // kernel drop notifications, which the sync must survive by re-dumping.
  if (const char* rcvbuf = std::getenv("PVLAND_NETLINK_RCVBUF"); rcvbuf != nullptr) {
    int bytes = 0;
    if (!absl::SimpleAtoi(rcvbuf, &bytes) || bytes <= 0) {
      std::fprintf(stderr, "pvland: PVLAND_NETLINK_RCVBUF=%s is not a positive number of bytes\n", rcvbuf);
      return 2;
    }
    sync.rcvbuf_bytes = bytes;
  }
  Router router(loop, SystemClock::Precise(), sync);
  if (auto s = router.Start(nft_table); !s.ok()) {
    std::fprintf(stderr, "pvland: cannot mirror the namespace's routes: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  auto guard = IngressGuard::Create(nft_table);
  if (!guard.ok()) {
    PVL_LOG(kWarning, "no nftables ingress hook (%s): the kernel will also see frames on attached ports",
            guard.status().ToString());
  }
  Dataplane dataplane(loop, bridge, clock, &router, guard.ok() ? guard->get() : nullptr);
  Observer observer(bridge);
  dataplane.set_observer(&observer);
  Dispatcher dispatcher(ControlContext{bridge, dataplane, clock, &router, &observer});

  if (!config.empty()) {
    if (auto s = RunConfigFile(config, dispatcher); !s.ok()) {
      std::fprintf(stderr, "pvland: %s\n", std::string(s.message()).c_str());
      return 1;
    }
  }
  ControlServer server(loop, dispatcher, &observer, access);
  if (auto s = server.Listen(sock); !s.ok()) {
    std::fprintf(stderr, "pvland: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  // A guest changing its NIC's MAC or promiscuous mode in its own namespace is heard here
  // (port security, docs/port-security.md); without the socket the periodic check below
  // still reads every endpoint once a second.
  auto links = netlink::LinkNotifier::Open();
  if (links.ok()) {
    (void)loop.Add(links->fd(), EPOLLIN, [&](uint32_t) {
      if (links->Drain()) dataplane.RefreshEndpoints();
    });
  } else {
    PVL_LOG(kWarning, "no link notifications from other namespaces (%s): guests' MAC changes are read once a second",
            links.status().ToString());
  }
  auto check = loop.AddTimer(kNsPerSec, [&] {
    dataplane.CheckPorts();
    // With ageing_time 0 every dynamic entry expires, as the bridge's gc does.
    bridge.AgeFdb(clock.Now());
  });
  if (!check.ok()) {
    std::fprintf(stderr, "pvland: %s\n", std::string(check.message()).c_str());
    return 1;
  }
  (void)loop.Add(sigfd.get(), EPOLLIN, [&](uint32_t) { loop.Stop(); });
  PVL_LOG(kInfo, "serving %s; nftables tables: netdev %s%s, arp %s%s", sock,
          guard.ok() ? nft_table : std::string("(none)"), guard.ok() && (*guard)->owned() ? " (owned)" : "",
          router.arp_guard() ? nft_table : std::string("(none)"),
          router.arp_guard() && router.arp_guard()->owned() ? " (owned)" : "");
  if (auto s = loop.Run(); !s.ok()) {
    std::fprintf(stderr, "pvland: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  PVL_LOG(kInfo, "stopping");
  return 0;
}

}  // namespace
}  // namespace pvland

int main(int argc, char** argv) { return pvland::Main(argc, argv); }

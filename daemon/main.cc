// pvland: the daemon. Serves the control socket in the network namespace it starts in;
// needs no configuration; `-c FILE` runs pvlanctl commands at start-up.
//
// Options are parsed with getopt: the contract is a few single-letter options in the
// style of ip(8), which absl::flags does not model.
#include <getopt.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/numbers.h"
#include "ctl/cli/grammar.h"
#include "daemon/bridge/bridge.h"
#include "daemon/control/dispatcher.h"
#include "daemon/control/server.h"
#include "daemon/core/clock.h"
#include "daemon/core/event_loop.h"
#include "daemon/core/log.h"
#include "daemon/dataplane/dataplane.h"
#include "daemon/observe/observer.h"
#include "daemon/router/router.h"
#include "netlink/foreign_link.h"

namespace pvland {
namespace {

void Usage(FILE* out) {
  std::fprintf(out,
               "usage: pvland [-s SOCKET] [-c FILE] [-v] [-h]\n"
               "  -s SOCKET  control socket (default %s)\n"
               "  -c FILE    run the pvlanctl commands in FILE at start-up (one per line, # comments)\n"
               "  -v         log debug messages\n"
               "  -h         print this help\n",
               PVL_CTL_DEFAULT_SOCK);
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
      s = cmd.ok() ? dispatcher.RunLocal(cmd->request) : cmd.status();
    }
    if (!s.ok()) return absl::Status(s.code(), path + ":" + std::to_string(lineno) + ": " + std::string(s.message()));
  }
  return absl::OkStatus();
}

int Main(int argc, char** argv) {
  std::string sock = PVL_CTL_DEFAULT_SOCK;
  std::string config;
  int opt;
  while ((opt = getopt(argc, argv, "s:c:vh")) != -1) {
    switch (opt) {
      case 's': sock = optarg; break;
      case 'c': config = optarg; break;
      case 'v': SetLogLevel(LogLevel::kDebug); break;
      case 'h': Usage(stdout); return 0;
      default: Usage(stderr); return 2;
    }
  }
  if (optind != argc) {
    Usage(stderr);
    return 2;
  }

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
  if (auto s = router.Start(); !s.ok()) {
    std::fprintf(stderr, "pvland: cannot mirror the namespace's routes: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  auto guard = IngressGuard::Create();
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
  ControlServer server(loop, dispatcher, &observer);
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
  PVL_LOG(kInfo, "serving %s", sock);
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

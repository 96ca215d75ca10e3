#include "daemon/core/instance.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"

namespace pvland {
namespace {

std::string ReadAll(int fd) {
  std::string out;
  char buf[128];
  ssize_t n;
  if (lseek(fd, 0, SEEK_SET) < 0) return out;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

// State letter and start time of process `pid`, from /proc/PID/stat; nullopt when no
// such process is visible. The command name may hold blanks and parentheses: the
// fields that follow it start after its last ')'.
struct ProcStat {
  char state = '?';
  unsigned long long start_time = 0;
};
std::optional<ProcStat> ReadProcStat(int pid) {
  std::ifstream f(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  if (!f || !std::getline(f, line)) return std::nullopt;
  const size_t paren = line.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(paren + 1));
  ProcStat st;
  std::string field;
  rest >> st.state;
  // Fields 4..21 lie between the state (3) and the start time (22).
  for (int i = 4; i <= 21 && rest >> field; ++i) {
  }
  if (!(rest >> st.start_time)) return std::nullopt;
  return st;
}

// Has the process that held the lock finished closing its files? A zombie (Z) or a dead
// (X) process has; a process not there at all, or another one under a reused pid, too.
bool HolderGone(const LockHolder& h) {
  if (h.pid <= 0) return true;
  auto st = ReadProcStat(h.pid);
  return !st || st->start_time != h.start_time || st->state == 'Z' || st->state == 'X';
}

}  // namespace

absl::StatusOr<std::string> CanonicalSocketPath(std::string_view path) {
  if (path.empty()) return absl::InvalidArgumentError("socket path is empty");
  const std::string p(path);
  const size_t slash = p.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : p.substr(0, slash));
  const std::string base = slash == std::string::npos ? p : p.substr(slash + 1);
  if (base.empty() || base == "." || base == "..")
    return absl::InvalidArgumentError(absl::StrCat("socket path '", p, "' names a directory"));
  char resolved[PATH_MAX];
  if (realpath(dir.c_str(), resolved) == nullptr)
    return absl::ErrnoToStatus(errno, absl::StrCat("socket directory ", dir));
  const std::string r(resolved);
  return r == "/" ? absl::StrCat("/", base) : absl::StrCat(r, "/", base);
}

std::string NftTableName(std::string_view canonical) {
  std::string name = "pvland";
  for (char c : canonical) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
                       c == '.' || c == '_' || c == '-';
    name.push_back(plain ? c : '_');
  }
  return name;
}

std::string LockPath(std::string_view socket_path) { return absl::StrCat(std::string(socket_path), ".lock"); }

std::string FormatLockHolder(const LockHolder& h) { return absl::StrCat(h.pid, " ", h.start_time, "\n"); }

std::optional<LockHolder> ParseLockHolder(std::string_view text) {
  std::istringstream in{std::string(text)};
  LockHolder h;
  std::string extra;
  if (!(in >> h.pid >> h.start_time) || h.pid <= 0 || (in >> extra)) return std::nullopt;
  return h;
}

absl::StatusOr<InstanceLock> InstanceLock::Acquire(std::string_view socket_path, int exit_wait_ms) {
  InstanceLock lock;
  lock.path_ = LockPath(socket_path);
  // The file may be removed by a stopping holder between our open and our flock: then
  // the lock we got is on a file nobody else will find, and we start again.
  for (int attempt = 0;; ++attempt) {
    lock.fd_.reset(open(lock.path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!lock.fd_.valid()) return absl::ErrnoToStatus(errno, absl::StrCat("lock file ", lock.path_));
    if (flock(lock.fd_.get(), LOCK_EX | LOCK_NB) < 0) {
      if (errno != EWOULDBLOCK) return absl::ErrnoToStatus(errno, absl::StrCat("flock ", lock.path_));
      auto holder = ParseLockHolder(ReadAll(lock.fd_.get()));
      return absl::AlreadyExistsError(absl::StrCat("another pvland", holder ? absl::StrCat(" (pid ", holder->pid, ")") : "",
                                                   " serves ", std::string(socket_path), " (it holds ", lock.path_,
                                                   "); give this one its own socket with -s"));
    }
    struct stat held {}, named{};
    if (fstat(lock.fd_.get(), &held) == 0 && stat(lock.path_.c_str(), &named) == 0 && held.st_ino == named.st_ino &&
        held.st_dev == named.st_dev)
      break;
    if (attempt == 100) return absl::UnavailableError(absl::StrCat("lock file ", lock.path_, " keeps changing"));
  }
  if (auto prev = ParseLockHolder(ReadAll(lock.fd_.get()))) {
    lock.previous_ = *prev;
    // A killed holder loses its lock while closing its files, possibly before the
    // TAPs and netlink sockets that go with them: wait until it has closed them all.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(exit_wait_ms);
    while (!HolderGone(*prev)) {
      if (std::chrono::steady_clock::now() >= deadline)
        return absl::UnavailableError(
            absl::StrCat("the previous pvland of ", std::string(socket_path), " (pid ", prev->pid, ") is still exiting"));
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  LockHolder self;
  self.pid = static_cast<int>(getpid());
  if (auto st = ReadProcStat(self.pid)) self.start_time = st->start_time;
  const std::string record = FormatLockHolder(self);
  if (ftruncate(lock.fd_.get(), 0) < 0 || pwrite(lock.fd_.get(), record.data(), record.size(), 0) < 0)
    return absl::ErrnoToStatus(errno, absl::StrCat("write ", lock.path_));
  lock.held_ = true;
  return lock;
}

InstanceLock::~InstanceLock() {
  if (held_) unlink(path_.c_str());
}

}  // namespace pvland

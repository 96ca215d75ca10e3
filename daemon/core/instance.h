// One pvland instance is one control socket: its identity in the namespace
// (docs/operations.md §2). Several instances may share a namespace, each with its own
// socket; what an instance leaves in the kernel is named after its socket, so a start
// can tell its own leftovers from another instance's live state.
//
// An instance holds an exclusive flock on SOCKET.lock for as long as it runs. The
// kernel drops the lock when the process dies, however it dies, so a lock that can be
// taken means no live instance serves that socket: what carries its name is stale.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "daemon/core/unique_fd.h"

namespace pvland {

// `path` with its directory resolved (realpath: symlinks, "..", relative to the working
// directory), so two spellings of one socket give one name. The directory must exist.
absl::StatusOr<std::string> CanonicalSocketPath(std::string_view path);

// The name of the nftables tables (netdev and arp families) of the instance serving the
// canonical socket path `canonical`: "pvland" followed by the path, with characters nft
// cannot print in a bare name replaced by '_' ("pvland/run/pvland.sock").
std::string NftTableName(std::string_view canonical);

// The lock file of a socket: SOCKET.lock.
std::string LockPath(std::string_view socket_path);

// Contents of a lock file: "PID STARTTIME" of its holder; what was read back from one.
struct LockHolder {
  int pid = 0;
  unsigned long long start_time = 0;  // field 22 of /proc/PID/stat, clock ticks since boot
};
std::string FormatLockHolder(const LockHolder& h);
// nullopt for anything but two numbers (an empty file: nobody held it yet).
std::optional<LockHolder> ParseLockHolder(std::string_view text);

class InstanceLock {
 public:
  // Takes the lock of `socket_path`. Fails with AlreadyExists, naming the holder's pid,
  // when a live instance holds it. When the previous holder was killed and is still
  // exiting (its lock is gone but its TAPs and tables may not be yet), waits up to
  // `exit_wait_ms` for it to finish.
  static absl::StatusOr<InstanceLock> Acquire(std::string_view socket_path, int exit_wait_ms = 5000);

  InstanceLock(InstanceLock&& o) noexcept
      : path_(std::move(o.path_)), fd_(std::move(o.fd_)), held_(std::exchange(o.held_, false)), previous_(o.previous_) {}
  InstanceLock& operator=(InstanceLock&&) = delete;
  // A clean stop removes the lock file; the lock goes with the descriptor.
  ~InstanceLock();

  // The instance that held the lock before, when it was killed rather than stopped (a
  // stopped instance removes its lock file); pid 0 when there was none.
  const LockHolder& previous() const { return previous_; }
  const std::string& path() const { return path_; }

 private:
  InstanceLock() = default;
  std::string path_;
  UniqueFd fd_;
  bool held_ = false;  // only the holder removes the file
  LockHolder previous_;
};

}  // namespace pvland

#pragma once
// Integration tests that cannot run (no root, no namespace) skip only where a skip is
// expected: a non-root run outside CI. As root, or with CI set, nothing may be missing,
// so the same condition fails the test and a green run means every test ran. The shell
// tests follow the same rule through t_skip in tests/integration/lib.sh.
#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace pvland::testing {

// True when a skip must fail: running as root, or CI set to anything but empty, 0 or false.
inline bool SkipIsFailure() {
  if (geteuid() == 0) return true;
  const char* ci = std::getenv("CI");
  if (ci == nullptr) return false;
  const std::string_view v(ci);
  return !(v.empty() || v == "0" || v == "false" || v == "False" || v == "FALSE" || v == "no");
}

// Moves the calling thread into a new, empty network namespace, which goes away with the
// process however it ends, so a test that makes its devices there leaves nothing behind.
// Returns why it could not (empty on success), for PVLAND_SKIP_OR_FAIL.
inline std::string EnterFreshNetns() {
  if (geteuid() != 0) return "needs root";
  if (unshare(CLONE_NEWNET) != 0) return "unshare(CLONE_NEWNET) failed";
  return {};
}

}  // namespace pvland::testing

// PVLAND_SKIP_OR_FAIL(reason): GTEST_SKIP() where a skip is allowed, GTEST_FAIL() where it
// is not; returns from the calling function either way. Put it in braces under an `if`.
#define PVLAND_SKIP_OR_FAIL(reason)                                        \
  if (::pvland::testing::SkipIsFailure()) {                                \
    GTEST_FAIL() << "cannot run: " << (reason)                             \
                 << " (a skip fails the run as root or when CI is set)";   \
  } else {                                                                 \
    GTEST_SKIP() << (reason);                                              \
  }                                                                        \
  static_assert(true, "")

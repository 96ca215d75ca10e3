#include "daemon/core/proc_int.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "daemon/core/unique_fd.h"
#include "include/pvland/strings.h"

namespace pvland {
namespace {

// proc_get_long copies at most TMPBUFLEN-1 characters and refuses a number that
// fills them, so sign plus digits must stay below 21 characters.
constexpr size_t kTmpBufLen = 22;

bool IsProcSpace(char c) {  // isspace() as proc_skip_spaces uses it
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
bool IsSeparator(char c) { return c == ' ' || c == '\t' || c == '\n'; }  // proc_wspace_sep

int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 99;
}

absl::Status Invalid(std::string_view text) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid integer '", std::string(text), "' (the kernel would answer EINVAL)"));
}

}  // namespace

absl::StatusOr<std::optional<ProcNumber>> ParseProcNumber(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && IsProcSpace(text[i])) ++i;
  if (i == text.size()) return std::optional<ProcNumber>();
  const std::string_view rest = text.substr(i);
  const std::string_view tmp = rest.substr(0, kTmpBufLen - 1);

  ProcNumber n;
  size_t p = 0;
  if (tmp[p] == '-' && rest.size() > 1) {
    n.negative = true;
    ++p;
  }
  if (p >= tmp.size() || tmp[p] < '0' || tmp[p] > '9') return Invalid(text);

  // strtoul base 0: "0x" followed by a hex digit is hex, a leading 0 is octal.
  unsigned base = 10;
  if (tmp[p] == '0') {
    if (p + 2 < tmp.size() && (tmp[p + 1] == 'x' || tmp[p + 1] == 'X') &&
        DigitValue(tmp[p + 2]) < 16) {
      base = 16;
      p += 2;
    } else {
      base = 8;
    }
  }
  uint64_t v = 0;
  for (; p < tmp.size() && DigitValue(tmp[p]) < static_cast<int>(base); ++p) {
    const uint64_t d = DigitValue(tmp[p]);
    if (v > (std::numeric_limits<uint64_t>::max() - d) / base) return Invalid(text);
    v = v * base + d;
  }
  if (p == kTmpBufLen - 1) return Invalid(text);
  // The character after the number must separate it from whatever follows; the
  // rest of the write is ignored (a one-element vector takes the first value).
  if (p < rest.size() && !IsSeparator(rest[p])) return Invalid(text);
  n.magnitude = v;
  return std::optional<ProcNumber>(n);
}

absl::StatusOr<std::optional<int32_t>> ParseProcDointvec(std::string_view text) {
  auto n = ParseProcNumber(text);
  if (!n.ok()) return n.status();
  if (!n->has_value()) return std::optional<int32_t>();
  const ProcNumber& v = **n;
  // do_proc_dointvec_conv: magnitude up to INT_MAX, or INT_MAX+1 when negative.
  const uint64_t limit = uint64_t{std::numeric_limits<int32_t>::max()} + (v.negative ? 1 : 0);
  if (v.magnitude > limit) {
    return absl::InvalidArgumentError(
        absl::StrCat("value '", std::string(text), "' is outside [-2147483648, 2147483647]"));
  }
  const int64_t s = v.negative ? -static_cast<int64_t>(v.magnitude)
                               : static_cast<int64_t>(v.magnitude);
  return std::optional<int32_t>(static_cast<int32_t>(s));
}

absl::StatusOr<std::optional<int32_t>> ParseProcDointvecMinmax(std::string_view text,
                                                               int32_t min, int32_t max) {
  auto v = ParseProcDointvec(text);
  if (!v.ok() || !v->has_value()) return v;
  if (**v < min || **v > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("value ", **v, " is outside [", min, ", ", max, "]"));
  }
  return v;
}

}  // namespace pvland

namespace pvland {

std::optional<int32_t> ReadProcInt(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return std::nullopt;
  char buf[32];
  const ssize_t n = read(fd.get(), buf, sizeof buf);
  if (n <= 0) return std::nullopt;
  auto v = ParseProcDointvec(std::string_view(buf, static_cast<size_t>(n)));
  if (!v.ok() || !v->has_value()) return std::nullopt;
  return **v;
}

absl::Status WriteProcFile(const std::string& path, std::string_view value) {
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return absl::ErrnoToStatus(errno, path);
  if (write(fd.get(), value.data(), value.size()) < 0) return absl::ErrnoToStatus(errno, path);
  return absl::OkStatus();
}

}  // namespace pvland

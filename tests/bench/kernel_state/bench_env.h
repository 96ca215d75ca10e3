// What a lookup-rate figure depends on, read from /proc and /sys so the bench can
// print it next to the figure: the build, the CPU and the cores the process may run
// on, the transparent-huge-page mode, how much of the memory that asked for huge
// pages (MADV_HUGEPAGE, the FIB's lookup tables and route records) actually got
// them, and the load and steal time of the machine while it ran.
#pragma once

#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace pvland::kernel_state::bench {

inline std::string FirstLine(const char* path) {
  std::ifstream f(path);
  std::string line;
  if (!std::getline(f, line)) return "?";
  return line;
}

// "always [madvise] never" -> "madvise".
inline std::string Bracketed(const std::string& s) {
  auto a = s.find('['), b = s.find(']');
  return a == std::string::npos || b == std::string::npos ? s : s.substr(a + 1, b - a - 1);
}

inline std::string ThpMode() {
  const std::string dir = "/sys/kernel/mm/transparent_hugepage/";
  std::string out = "enabled=" + Bracketed(FirstLine((dir + "enabled").c_str())) +
                    " defrag=" + Bracketed(FirstLine((dir + "defrag").c_str()));
  if (prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) == 1) out += " (disabled for this process)";
  return out;
}

// Model name plus family/model/stepping (a VM often names every CPU "Xeon
// Processor"), and whether a hypervisor runs it.
inline std::string CpuModel() {
  std::ifstream f("/proc/cpuinfo");
  std::string line, name = "?", family = "?", model = "?", stepping = "?";
  bool hypervisor = false;
  auto value = [](const std::string& l) {
    auto p = l.find(':');
    return p == std::string::npos ? std::string() : l.substr(p + 2);
  };
  while (std::getline(f, line)) {
    if (line.empty()) break;  // the first CPU is enough
    if (line.rfind("model name", 0) == 0) name = value(line);
    else if (line.rfind("cpu family", 0) == 0) family = value(line);
    else if (line.rfind("model\t", 0) == 0) model = value(line);
    else if (line.rfind("stepping", 0) == 0) stepping = value(line);
    else if (line.rfind("flags", 0) == 0) hypervisor = line.find(" hypervisor") != std::string::npos;
  }
  return name + " (family " + family + " model " + model + " stepping " + stepping + ")" +
         (hypervisor ? ", virtual machine" : "");
}

// "1 (pinned)" or "0-1 (not pinned: the scheduler may move it)".
inline std::string Affinity() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return "?";
  std::string cpus;
  int n = 0;
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (!CPU_ISSET(c, &set)) continue;
    if (n++) cpus += ',';
    cpus += std::to_string(c);
  }
  return cpus + (n == 1 ? " (pinned)" : " (not pinned: the scheduler may move it between cores)");
}

inline std::string BuildDescription() {
  std::string s;
#ifdef PVLAND_BUILD_TYPE
  s = PVLAND_BUILD_TYPE;
#endif
  if (s.empty()) s = "(no CMAKE_BUILD_TYPE)";
#ifdef __OPTIMIZE__
  s += ", optimized";
#else
  s += ", NOT optimized";
#endif
#ifdef NDEBUG
  s += ", NDEBUG";
#else
  s += ", asserts on";
#endif
  return s;
}

// kB fields of /proc/self/status (VmSize, VmRSS, ...).
inline long StatusKiB(const char* key) {
  std::ifstream f("/proc/self/status");
  std::string line, k = std::string(key) + ":";
  while (std::getline(f, line)) {
    if (line.rfind(k, 0) == 0) return std::atol(line.c_str() + k.size());
  }
  return -1;
}

struct HugeUsage {
  long hg_rss_kib = 0;   // resident in mappings with MADV_HUGEPAGE ("hg" in VmFlags)
  long hg_huge_kib = 0;  // of which on transparent huge pages
  long anon_huge_kib = 0;  // the whole process's AnonHugePages
  long rss_kib = 0;
};

inline HugeUsage HugePages() {
  HugeUsage u;
  std::ifstream f("/proc/self/smaps");
  std::string line;
  long rss = 0, huge = 0;
  while (std::getline(f, line)) {
    if (line.rfind("Rss:", 0) == 0) {
      rss = std::atol(line.c_str() + 4);
      u.rss_kib += rss;
    } else if (line.rfind("AnonHugePages:", 0) == 0) {
      huge = std::atol(line.c_str() + 14);
      u.anon_huge_kib += huge;
    } else if (line.rfind("VmFlags:", 0) == 0) {
      // VmFlags is the last field of each mapping.
      if ((line + " ").find(" hg ") != std::string::npos) {
        u.hg_rss_kib += rss;
        u.hg_huge_kib += huge;
      }
      rss = huge = 0;
    }
  }
  return u;
}

// All, idle (idle + iowait) and steal clock ticks from the "cpu" line of /proc/stat
// for one CPU (or all with cpu < 0).
struct CpuTicks {
  uint64_t total = 0, idle = 0, steal = 0;
};
inline CpuTicks ReadCpuTicks(int cpu) {
  std::ifstream f("/proc/stat");
  std::string line, want = cpu < 0 ? "cpu " : "cpu" + std::to_string(cpu) + " ";
  while (std::getline(f, line)) {
    if (line.rfind(want, 0) != 0) continue;
    std::istringstream in(line.substr(want.size()));
    CpuTicks t;
    uint64_t v;
    for (int i = 0; in >> v; ++i) {
      if (i < 8) t.total += v;  // guest time is already in user
      if (i == 3 || i == 4) t.idle += v;
      if (i == 7) t.steal = v;
    }
    return t;
  }
  return {};
}

// This process's utime + stime in clock ticks (/proc/self/stat fields 14 and 15).
inline uint64_t SelfTicks() {
  std::string s = FirstLine("/proc/self/stat");
  auto p = s.rfind(')');
  if (p == std::string::npos) return 0;
  std::istringstream in(s.substr(p + 2));
  std::string field;
  uint64_t utime = 0, stime = 0;
  for (int i = 3; in >> field; ++i) {
    if (i == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (i == 15) {
      stime = std::strtoull(field.c_str(), nullptr, 10);
      break;
    }
  }
  return utime + stime;
}

// The machine's memory as a lookup over a large table meets it: over `bytes` of
// memory (asking for huge pages, as the FIB does), the latency of one read that
// depends on the previous one, and the time per read when reads are independent
// (how many misses the core keeps in flight). A lookup that misses the caches
// costs about the first per dependent read, one after another costs about the
// second per read at best.
struct MemoryTimes {
  double dependent_ns = 0, independent_ns = 0;
};
inline MemoryTimes MeasureMemory(size_t bytes) {
  constexpr size_t kLine = 64;
  MemoryTimes t;
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return t;
  madvise(p, bytes, MADV_HUGEPAGE);
  char* base = static_cast<char*>(p);
  const size_t n = bytes / kLine;
  std::vector<uint32_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = static_cast<uint32_t>(i);
  std::shuffle(order.begin(), order.end(), std::mt19937(5));
  for (size_t i = 0; i < n; ++i) {
    *reinterpret_cast<char**>(base + order[i] * kLine) = base + order[(i + 1) % n] * kLine;
  }
  using Clock = std::chrono::steady_clock;
  constexpr size_t kSteps = 2'000'000;
  char* c = base + order[0] * kLine;
  auto t0 = Clock::now();
  for (size_t i = 0; i < kSteps; ++i) c = *reinterpret_cast<char**>(c);
  t.dependent_ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / kSteps;
  uintptr_t sum = reinterpret_cast<uintptr_t>(c);
  t0 = Clock::now();
  for (size_t i = 0; i < kSteps; ++i) {
    sum += *reinterpret_cast<uintptr_t*>(base + order[i % n] * kLine + 8);
  }
  t.independent_ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / kSteps;
  munmap(p, bytes);
  if (sum == 1) t.independent_ns += 1e-9;  // keeps the reads
  return t;
}

}  // namespace pvland::kernel_state::bench

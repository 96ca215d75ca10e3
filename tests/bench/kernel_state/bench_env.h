// What a lookup-rate figure depends on, read from /proc and /sys so the bench can
// print it next to the figure: the build, the CPU and the cores the process may run
// on, the transparent-huge-page mode, how much of the memory that asked for huge
// pages (MADV_HUGEPAGE, the FIB's lookup tables and route records) actually got
// them, and the load and steal time of the machine while it ran.
#pragma once

#include <sched.h>
#include <sys/prctl.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
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

}  // namespace pvland::kernel_state::bench

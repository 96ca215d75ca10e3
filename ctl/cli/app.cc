#include "ctl/cli/app.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "ctl/cli/batch.h"
#include "ctl/cli/grammar.h"
#include "ctl/cli/printer.h"
#include "ctl/cli/stream.h"
#include "ctl/proto/client.h"
#include "include/pvland/strings.h"

namespace pvland::ctl {
namespace {

struct Options {
  std::string sock = PVL_CTL_DEFAULT_SOCK;
  OutputFormat format = OutputFormat::kText;
  std::optional<std::string> batch;
  bool force = false;
  absl::Span<const std::string> words;  // OBJECT VERB ...
};

// Options end at the first word that is not one, the OBJECT: what follows belongs to
// the grammar (`sysctl -n KEY` must keep its -n). A flags library would scan the whole
// line, which is why these few are parsed by hand.
bool ParseOptions(absl::Span<const std::string> args, Options& o, std::ostream& err) {
  size_t i = 0;
  for (; i < args.size() && args[i].starts_with("-"); ++i) {
    const std::string& a = args[i];
    if (a == "-s" || a == "-b") {
      if (i + 1 == args.size()) {
        err << "pvlanctl: option " << a << " needs an argument\n";
        return false;
      }
      (a == "-s" ? o.sock : o.batch.emplace()) = args[++i];
    } else if (a == "-j") {
      if (o.format == OutputFormat::kText) o.format = OutputFormat::kJson;
    } else if (a == "-p") {
      o.format = OutputFormat::kJsonPretty;  // pretty only means something for JSON
    } else if (a == "-force") {
      o.force = true;
    } else {
      err << "pvlanctl: unknown option '" << a << "'; expected -s, -j, -p, -b or -force\n";
      return false;
    }
  }
  o.words = args.subspan(i);
  if (o.batch && !o.words.empty()) {
    err << "pvlanctl: unexpected '" << o.words[0] << "' after -b " << *o.batch << "\n";
    return false;
  }
  if (o.force && !o.batch) {
    err << "pvlanctl: -force applies to -b FILE only\n";
    return false;
  }
  return true;
}

// save FILE: FILE is replaced whole, and only by a complete configuration (a temporary
// file beside it, renamed over it).
int WriteWhole(const std::string& file, const std::string& contents, std::ostream& err) {
  const std::string tmp = text::Cat(file, ".tmp.", getpid());
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) {
    err << "pvlanctl: cannot create " << tmp << ": " << std::strerror(errno) << "\n";
    return 1;
  }
  size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  const bool ok = done == contents.size() && fsync(fd) == 0;
  const int e = errno;
  close(fd);
  if (!ok || rename(tmp.c_str(), file.c_str()) < 0) {
    err << "pvlanctl: cannot write " << file << ": " << std::strerror(ok ? errno : e) << "\n";
    unlink(tmp.c_str());
    return 1;
  }
  return 0;
}

int RunOne(const Options& o, std::ostream& out, std::ostream& err) {
  if (auto help = HelpText(o.words)) {
    out << *help;
    return 0;
  }
  auto cmd = ParseCommand(o.words, 1);
  if (!cmd.ok()) {
    err << "pvlanctl: " << cmd.status().message() << "\n";
    return 1;
  }
  if (cmd->stream != StreamKind::kNone) return RunStream(o.sock, *cmd, o.format, out, err);
  auto client = Client::Connect(o.sock);
  if (!client.ok()) {
    err << "pvlanctl: " << client.status().message() << "\n";
    return 1;
  }
  auto reply = client->Exchange(cmd->request);
  if (!reply.ok()) {
    err << "pvlanctl: " << reply.status().message() << "\n";
    return 1;
  }
  const bool to_file = cmd->cmd == PVL_CMD_CONFIG_GET && !cmd->write_to.empty();
  std::ostringstream saved;
  PrintReply(*cmd, *reply, o.format, to_file ? saved : out);
  if (reply->error != 0) {
    err << "pvlanctl: " << ReplyError(*reply) << "\n";
    return 1;
  }
  return to_file ? WriteWhole(cmd->write_to, saved.str(), err) : 0;
}

// Streams never end and save writes a file of its own: neither belongs in a batch.
bool RunsInBatch(const Command& c) { return c.stream == StreamKind::kNone && c.cmd != PVL_CMD_CONFIG_GET; }

int RunBatch(const Options& o, std::istream& in, std::ostream& out, std::ostream& err) {
  const bool from_stdin = *o.batch == "-";
  const std::string name = from_stdin ? "<stdin>" : *o.batch;
  std::ifstream file;
  if (!from_stdin) {
    file.open(*o.batch);
    if (!file) {
      err << "pvlanctl: cannot open " << *o.batch << "\n";
      return 1;
    }
  }
  const std::vector<BatchLine> lines = ParseBatch(from_stdin ? in : file, 1);

  bool failed = false;
  for (const BatchLine& l : lines) {
    if (l.command.ok() && RunsInBatch(*l.command)) continue;
    err << name << ":" << l.line << ": "
        << (l.command.ok() ? std::string("monitor, capture and save run on their own, not in a batch")
                           : std::string(l.command.status().message()))
        << "\n";
    failed = true;
  }
  // Without -force a bad line means nothing is sent at all.
  if (failed && !o.force) return 1;
  if (std::none_of(lines.begin(), lines.end(), [](const BatchLine& l) { return l.command.ok() && RunsInBatch(*l.command); }))
    return failed ? 1 : 0;

  auto client = Client::Connect(o.sock);
  if (!client.ok()) {
    err << "pvlanctl: " << client.status().message() << "\n";
    return 1;
  }
  for (const BatchLine& l : lines) {
    if (!l.command.ok() || !RunsInBatch(*l.command)) continue;
    auto reply = client->Exchange(l.command->request);
    if (!reply.ok()) {
      // The connection is unusable after a transport error, so even -force stops here.
      err << name << ":" << l.line << ": " << reply.status().message() << "\n";
      return 1;
    }
    PrintReply(*l.command, *reply, o.format, out);
    if (reply->error != 0) {
      err << name << ":" << l.line << ": " << ReplyError(*reply) << "\n";
      failed = true;
      if (!o.force) return 1;
    }
  }
  return failed ? 1 : 0;
}

}  // namespace

int RunPvlanctl(absl::Span<const std::string> args, std::istream& in, std::ostream& out,
                std::ostream& err) {
  Options o;
  if (!ParseOptions(args, o, err)) return 1;
  return o.batch ? RunBatch(o, in, out, err) : RunOne(o, out, err);
}

}  // namespace pvland::ctl

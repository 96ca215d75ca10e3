// A stand-in for pvland's control server: a SOCK_SEQPACKET socket in a fresh temporary
// directory, served by one thread, answering each request through a handler and
// remembering every request it got (as DescribeRequest lines), so tests can check both
// what the client printed and what it sent.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ctl/proto/message.h"

namespace pvland::ctl::testing {

class FakeDaemon {
 public:
  // Returns the datagrams to send back for one request, in order.
  using Handler = std::function<std::vector<std::vector<uint8_t>>(const Message& request)>;

  explicit FakeDaemon(Handler handler);
  ~FakeDaemon();
  FakeDaemon(const FakeDaemon&) = delete;
  FakeDaemon& operator=(const FakeDaemon&) = delete;

  const std::string& path() const { return path_; }
  std::vector<std::string> requests();

 private:
  void Serve();
  void ServeConnection(int fd);

  Handler handler_;
  std::string dir_;
  std::string path_;
  int listen_fd_ = -1;
  int stop_fd_ = -1;  // eventfd: wakes the thread's poll() when the test ends
  std::mutex mu_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

// A reply record for `request` carrying attributes written by `fill`.
std::vector<uint8_t> RecordFor(const Message& request, const std::function<void(MessageBuilder&)>& fill);
// The final NLMSG_ERROR for `request`: 0 or -errno, with an optional message.
std::vector<uint8_t> AckFor(const Message& request, int error = 0, std::string_view msg = "");

}  // namespace pvland::ctl::testing

// A TAP port: pvland creates the interface and holds its fd. The fd keeps working when the
// user moves the interface to another namespace, so the port moves with it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "daemon/core/unique_fd.h"
#include "daemon/port/port_io.h"

namespace pvland {

class TapPort final : public PortIo {
 public:
  // Largest frame read from the TAP: a 9000-byte MTU plus Ethernet header and two tags.
  static constexpr uint32_t kBufSize = 9000 + 14 + 8 + 2;

  // Creates TAP `name` in the current namespace and sets it up.
  static absl::StatusOr<std::unique_ptr<TapPort>> Create(const std::string& name);

  int fd() const override { return fd_.get(); }
  size_t Receive(PacketBatch& batch) override;
  void ReleaseRx() override { next_buf_ = 0; }
  SendResult Send(absl::Span<TxItem> items) override;
  int ifindex() const { return ifindex_; }

 private:
  TapPort() : bufs_(kBatchSize * kBufSize) {}
  UniqueFd fd_;
  int ifindex_ = 0;
  std::vector<uint8_t> bufs_;  // one receive buffer per batch slot
  size_t next_buf_ = 0;
};

}  // namespace pvland

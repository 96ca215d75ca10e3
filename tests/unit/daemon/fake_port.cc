#include "fake_port.h"

#include <sys/uio.h>

namespace pvland {

size_t FakePort::Receive(PacketBatch& batch) {
  size_t n = 0;
  while (!batch.full() && !rx_.empty()) {
    held_.push_back(std::move(rx_.front()));
    rx_.pop_front();
    Packet& p = batch.Append();
    p.frame = held_.back().data();
    p.len = p.wire_len = static_cast<uint32_t>(held_.back().size());
    ++n;
  }
  return n;
}

SendResult FakePort::Send(absl::Span<TxItem> items) {
  SendResult r;
  for (TxItem& item : items) {
    if (fail_errno) {
      item.error = fail_errno;
      continue;
    }
    iovec iov[4];
    int n = BuildIovecs(item, iov);
    std::vector<uint8_t> bytes;
    for (int i = 0; i < n; ++i) {
      auto* b = static_cast<uint8_t*>(iov[i].iov_base);
      bytes.insert(bytes.end(), b, b + iov[i].iov_len);
    }
    r.bytes += bytes.size();
    ++r.sent;
    sent.push_back(std::move(bytes));
  }
  return r;
}

}  // namespace pvland

#include "fake_port.h"

#include <sys/uio.h>

namespace pvland {

size_t FakePort::Receive(PacketBatch& batch) {
  size_t n = 0;
  while (!batch.full() && !rx_.empty()) {
    held_.push_back(std::move(rx_.front()));
    rx_.pop_front();
    Packet& p = batch.Append();
    p.offload = rx_offloads_.front();
    rx_offloads_.pop_front();
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
    iovec iov[kMaxTxIovecs];
    int n = BuildIovecs(item, iov);
    if (iov[0].iov_len != sizeof(Offload)) return r;  // every frame starts with the header
    sent_offloads.push_back(*static_cast<const Offload*>(iov[0].iov_base));
    std::vector<uint8_t> bytes;
    for (int i = 1; i < n; ++i) {
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

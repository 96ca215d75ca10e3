#include "daemon/port/port_io.h"

#include <sys/uio.h>

namespace pvland {

int BuildIovecs(const TxItem& item, iovec* iov) {
  const Packet& p = *item.pkt;
  int n = 0;
  iov[n++] = {const_cast<Offload*>(&item.offload), sizeof(Offload)};
  iov[n++] = {p.frame, 12};
  if (item.tag) iov[n++] = {const_cast<uint8_t*>(item.tag_bytes), 4};
  if (p.has_inner_tag) iov[n++] = {const_cast<uint8_t*>(p.inner_tag), 4};
  iov[n++] = {p.frame + p.payload_off, p.len - p.payload_off};
  return n;
}

}  // namespace pvland

// Frame generator and cheap sink for the switch benchmarks (bench.sh, callgrind.sh).
//
//   pktgen tx IFNAME DSTMAC SRCIP DSTIP SECONDS [COUNT] [RATE]
//       Sends 60-byte UDP frames (SRCIP:9 -> DSTIP:9000) out IFNAME with AF_PACKET
//       sendmmsg, 64 copies per call, PACKET_QDISC_BYPASS, until SECONDS have passed or
//       COUNT frames went out (COUNT -1: no limit). With RATE (frames/s), one frame at a
//       time on an absolute-time schedule instead. Prints the number of frames sent.
//   pktgen sink BINDIP PEERIP SECONDS
//       A UDP socket bound to BINDIP:9000 and connected to PEERIP:9 with the smallest
//       receive buffer: the flood is absorbed by a socket lookup and a buffer-full drop
//       instead of the port-unreachable path. Sleeps SECONDS and exits.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BURST 64
#define FRAME_LEN 60

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint16_t csum(const void* data, size_t len) {
  const uint8_t* p = data;
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < len; i += 2) sum += (uint32_t)(p[i] << 8 | p[i + 1]);
  if (len & 1) sum += (uint32_t)p[len - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

static int parse_mac(const char* s, uint8_t* mac) {
  unsigned v[6];
  if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6) return -1;
  for (int i = 0; i < 6; ++i) mac[i] = (uint8_t)v[i];
  return 0;
}

static int do_tx(int argc, char** argv) {
  if (argc < 6) return 2;
  const char* ifname = argv[1];
  const double seconds = atof(argv[5]);
  const long long count = argc > 6 ? atoll(argv[6]) : -1;
  const double rate = argc > 7 ? atof(argv[7]) : 0;
  int fd = socket(AF_PACKET, SOCK_RAW, 0);
  if (fd < 0) { perror("socket"); return 1; }
  int one = 1;
  if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one) < 0) perror("PACKET_QDISC_BYPASS");
  int sndbuf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
  if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) { perror(ifname); return 1; }
  const int ifindex = ifr.ifr_ifindex;
  if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) { perror("SIOCGIFHWADDR"); return 1; }

  uint8_t frame[FRAME_LEN];
  memset(frame, 0, sizeof frame);
  struct ether_header* eth = (struct ether_header*)frame;
  if (parse_mac(argv[2], eth->ether_dhost) < 0) { fprintf(stderr, "bad MAC %s\n", argv[2]); return 2; }
  memcpy(eth->ether_shost, ifr.ifr_hwaddr.sa_data, 6);
  eth->ether_type = htons(ETHERTYPE_IP);
  struct iphdr* ip = (struct iphdr*)(frame + 14);
  ip->version = 4;
  ip->ihl = 5;
  ip->tot_len = htons(FRAME_LEN - 14);
  ip->ttl = 64;
  ip->protocol = IPPROTO_UDP;
  if (inet_pton(AF_INET, argv[3], &ip->saddr) != 1 || inet_pton(AF_INET, argv[4], &ip->daddr) != 1) {
    fprintf(stderr, "bad IP\n");
    return 2;
  }
  ip->check = htons(csum(ip, 20));
  struct udphdr* udp = (struct udphdr*)(frame + 34);
  udp->source = htons(9);
  udp->dest = htons(9000);
  udp->len = htons(FRAME_LEN - 34);
  udp->check = 0;  // optional in IPv4

  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_ifindex = ifindex;
  sll.sll_halen = 6;
  memcpy(sll.sll_addr, eth->ether_dhost, 6);
  struct iovec iov = {frame, FRAME_LEN};
  struct mmsghdr msgs[BURST];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < BURST; ++i) {
    msgs[i].msg_hdr.msg_name = &sll;
    msgs[i].msg_hdr.msg_namelen = sizeof sll;
    msgs[i].msg_hdr.msg_iov = &iov;
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  long long sent = 0;
  const double end = now_s() + seconds;
  if (rate > 0) {
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    const long step_ns = (long)(1e9 / rate);
    while ((count < 0 || sent < count) && now_s() < end) {
      if (sendmmsg(fd, msgs, 1, 0) == 1) ++sent;
      next.tv_nsec += step_ns;
      while (next.tv_nsec >= 1000000000L) { next.tv_nsec -= 1000000000L; ++next.tv_sec; }
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
    }
    printf("%lld\n", sent);
    return 0;
  }
  unsigned iter = 0;
  while (count < 0 || sent < count) {
    if ((++iter & 63) == 0 && now_s() > end) break;
    unsigned n = BURST;
    if (count >= 0 && count - sent < BURST) n = (unsigned)(count - sent);
    int r = sendmmsg(fd, msgs, n, 0);
    if (r < 0) {
      if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) continue;
      perror("sendmmsg");
      return 1;
    }
    sent += r;
  }
  printf("%lld\n", sent);
  return 0;
}

static int do_sink(int argc, char** argv) {
  if (argc < 4) return 2;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) { perror("socket"); return 1; }
  int small = 1;  // the kernel rounds it up to its minimum
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons(9000);
  inet_pton(AF_INET, argv[1], &a.sin_addr);
  if (bind(fd, (struct sockaddr*)&a, sizeof a) < 0) { perror("bind"); return 1; }
  a.sin_port = htons(9);
  inet_pton(AF_INET, argv[2], &a.sin_addr);
  if (connect(fd, (struct sockaddr*)&a, sizeof a) < 0) { perror("connect"); return 1; }
  const double end = now_s() + atof(argv[3]);
  while (now_s() < end) usleep(100000);
  return 0;
}

int main(int argc, char** argv) {
  int rc = 2;
  if (argc > 1 && strcmp(argv[1], "tx") == 0) rc = do_tx(argc - 1, argv + 1);
  else if (argc > 1 && strcmp(argv[1], "sink") == 0) rc = do_sink(argc - 1, argv + 1);
  if (rc == 2)
    fprintf(stderr, "usage: pktgen tx IFNAME DSTMAC SRCIP DSTIP SECONDS [COUNT] [RATE]\n"
                    "       pktgen sink BINDIP PEERIP SECONDS\n");
  return rc;
}

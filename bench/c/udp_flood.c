// Bounded UDP sender for the ceiling benchmark, in C so that it can offer more than the receivers read (the Python
// sender, bench/py/udp_send.py, tops out at a few hundred thousand datagrams a second). Same contract, fewer
// options: sends COUNT datagrams to 127.0.0.1:PORT (loopback only, always) at RATE a second (0: as fast as it
// can), sendmmsg(2) 64 at a time, from SOURCES loopback addresses 127.A.B.C in turn (IP_PKTINFO; 0: one source),
// for at most MAX_SECONDS. TEMPLATE is the datagram in hex with "{n}" where each datagram's own packet number
// (1700000000 + i) goes. Prints {"sent", "errors", "seconds", "rate", "method"} on stdout.
// Usage: udp_flood PORT COUNT RATE TEMPLATE_HEX SOURCES MAX_SECONDS
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH 64
#define FIRST_PACKET_NO 1700000000L
#define MAX_COUNT 5000000L
#define MAX_DATAGRAM 2048

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: udp_flood PORT COUNT RATE TEMPLATE_HEX SOURCES MAX_SECONDS\n");
    return 2;
  }
  long port = atol(argv[1]), count = atol(argv[2]), sources = atol(argv[5]);
  double rate = atof(argv[3]), max_seconds = atof(argv[6]);
  const char *hex = argv[4];
  size_t hex_len = strlen(hex);
  if (port < 1 || port > 65535 || count < 0 || count > MAX_COUNT || rate < 0 || sources < 0 ||
      sources > 250L * 256 * 254 || max_seconds <= 0 || hex_len % 2 || hex_len / 2 > MAX_DATAGRAM - 16) {
    fprintf(stderr, "udp_flood: argument out of range\n");
    return 2;
  }
  unsigned char template[MAX_DATAGRAM];
  size_t template_len = hex_len / 2;
  for (size_t i = 0; i < template_len; i++) sscanf(hex + 2 * i, "%2hhx", &template[i]);
  unsigned char *mark = memmem(template, template_len, "{n}", 3);
  if (!mark) {
    fprintf(stderr, "udp_flood: the template needs {n}\n");
    return 2;
  }
  // The datagram: template with a 10-digit number where {n} was (the numbers keep their width up to MAX_COUNT).
  size_t before = mark - template, size = template_len - 3 + 10;
  static unsigned char datagrams[BATCH][MAX_DATAGRAM];
  for (int j = 0; j < BATCH; j++) {
    memcpy(datagrams[j], template, before);
    memcpy(datagrams[j] + before + 10, mark + 3, template_len - before - 3);
  }

  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  int sndbuf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK); // 127.0.0.1: never anywhere else
  if (connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
    perror("udp_flood: connect");
    return 1;
  }

  static struct mmsghdr msgs[BATCH];
  static struct iovec iovs[BATCH];
  static union {
    char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
    struct cmsghdr align;
  } controls[BATCH];
  for (int j = 0; j < BATCH; j++) {
    iovs[j].iov_base = datagrams[j];
    iovs[j].iov_len = size;
    msgs[j].msg_hdr.msg_iov = &iovs[j];
    msgs[j].msg_hdr.msg_iovlen = 1;
  }

  long sent = 0, errors = 0;
  double start = now(), deadline = start + max_seconds;
  while (sent < count) {
    double t = now();
    if (t > deadline) break;
    long n = count - sent < BATCH ? count - sent : BATCH;
    if (rate > 0) {
      long due = (long)((t - start) * rate) + 1 - sent;
      if (due <= 0) {
        double ahead = sent / rate - (t - start);
        if (ahead > 0.0003) {
          struct timespec pause = {0, (long)((ahead - 0.0002) * 1e9)};
          nanosleep(&pause, NULL);
        }
        continue;
      }
      if (due < n) n = due;
    }
    for (long j = 0; j < n; j++) {
      long k = sent + j;
      char digits[11];
      snprintf(digits, sizeof digits, "%010ld", FIRST_PACKET_NO + k);
      memcpy(datagrams[j] + before, digits, 10);
      if (sources > 0) {
        long i = k % sources;
        struct msghdr *h = &msgs[j].msg_hdr;
        h->msg_control = controls[j].buf;
        h->msg_controllen = sizeof controls[j].buf;
        struct cmsghdr *c = CMSG_FIRSTHDR(h);
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
        struct in_pktinfo info = {0};
        // 127.A.B.C with C in 1..250, as udp_send.py numbers its sources.
        info.ipi_spec_dst.s_addr = htonl((127u << 24) | ((1 + i / (256 * 250)) << 16) | (((i / 250) % 256) << 8) |
                                         (1 + i % 250));
        memcpy(CMSG_DATA(c), &info, sizeof info);
      }
    }
    int done = sendmmsg(fd, msgs, (unsigned)n, 0);
    if (done < 0) {
      if (errno == EAGAIN || errno == ENOBUFS || errno == EINTR) continue;
      errors++; // ECONNREFUSED (nobody listening yet) and the like: counted as sent and failed
      done = 1;
    }
    sent += done;
  }
  double seconds = now() - start;
  printf("{\"sent\": %ld, \"errors\": %ld, \"seconds\": %.6f, \"rate\": %.1f, \"method\": \"sendmmsg (C)\"}\n", sent,
         errors, seconds, seconds > 0 ? sent / seconds : 0);
  return 0;
}

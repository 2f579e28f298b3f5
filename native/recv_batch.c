// lanmsg's batched receive (Linux): many datagrams from a UDP socket in one recvmmsg(2) call.
//
// Node's dgram reads one datagram per system call and calls JavaScript once for each (about 4 us a datagram).
// Under a flood that is most of the time a loop has. recvBatch() reads up to `count` datagrams that are already
// waiting, without blocking, into fixed slots of one buffer, and says where each came from; JavaScript then takes
// them from the buffer in one call. The socket stays Node's: this only reads, non-blocking, on the main thread,
// inside Node's own read callback, so libuv simply finds the socket emptier (EAGAIN) when it reads next.
//
// recvBatch(fd, bytes: Uint8Array, slotSize, meta: Int32Array, count) -> datagrams read (0 when none is
// waiting), or -errno. Datagram i is bytes[i * slotSize, + meta[4i + 1]); meta[4i] = its offset, meta[4i + 2] =
// the IPv4 source address as a 32-bit number (host order, in an int32), meta[4i + 3] = the source port.
//
// socketDrops(fd) -> the datagrams the kernel has dropped on this socket since it was opened (its receive buffer
// was full), or -errno. It reads the socket's drop counter (sk_drops) with getsockopt(SO_MEMINFO) when asked,
// rather than SO_RXQ_OVFL, which stamps the same counter on each datagram read: that would miss what Node's own
// reads take, and the drops after the last datagram read (the tail of a burst that overflowed the buffer).
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#define MAX_BATCH 256

static napi_value number(napi_env env, int32_t value) {
  napi_value result;
  napi_create_int32(env, value, &result);
  return result;
}

static napi_value fail(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

static napi_value RecvBatch(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5) return fail(env, "recvBatch: 5 arguments");

  int32_t fd, slot_size, count;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok || napi_get_value_int32(env, argv[2], &slot_size) != napi_ok ||
      napi_get_value_int32(env, argv[4], &count) != napi_ok || fd < 0 || slot_size <= 0 || count < 0)
    return fail(env, "recvBatch: fd, slotSize and count must be non-negative integers");

  napi_typedarray_type type;
  size_t length;
  void *data;
  if (napi_get_typedarray_info(env, argv[1], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_uint8_array)
    return fail(env, "recvBatch: bytes must be a Uint8Array");
  uint8_t *bytes = data;
  size_t byte_length = length;

  if (napi_get_typedarray_info(env, argv[3], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_int32_array)
    return fail(env, "recvBatch: meta must be an Int32Array");
  int32_t *meta = data;

  size_t n = (size_t)count;
  if (n > MAX_BATCH) n = MAX_BATCH;
  if (n > byte_length / (size_t)slot_size) n = byte_length / (size_t)slot_size;
  if (n > length / 4) n = length / 4;
  if (n == 0) return number(env, 0);

  struct mmsghdr messages[MAX_BATCH];
  struct iovec vectors[MAX_BATCH];
  struct sockaddr_in sources[MAX_BATCH];
  memset(messages, 0, n * sizeof messages[0]);
  for (size_t i = 0; i < n; i++) {
    vectors[i].iov_base = bytes + i * (size_t)slot_size;
    vectors[i].iov_len = (size_t)slot_size;
    messages[i].msg_hdr.msg_name = &sources[i];
    messages[i].msg_hdr.msg_namelen = sizeof sources[i];
    messages[i].msg_hdr.msg_iov = &vectors[i];
    messages[i].msg_hdr.msg_iovlen = 1;
  }

  int got;
  do {
    got = recvmmsg(fd, messages, (unsigned int)n, MSG_DONTWAIT, NULL);
  } while (got < 0 && errno == EINTR);
  if (got < 0) return number(env, errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno);

  for (int i = 0; i < got; i++) {
    struct sockaddr_in *from = &sources[i];
    int ipv4 = messages[i].msg_hdr.msg_namelen >= sizeof *from && from->sin_family == AF_INET;
    meta[4 * i] = i * slot_size;
    meta[4 * i + 1] = (int32_t)messages[i].msg_len;
    meta[4 * i + 2] = ipv4 ? (int32_t)ntohl(from->sin_addr.s_addr) : 0;
    meta[4 * i + 3] = ipv4 ? ntohs(from->sin_port) : -1;
  }

  return number(env, got);
}

#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif

static napi_value SocketDrops(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0)
    return fail(env, "socketDrops: fd must be a non-negative integer");

  uint32_t meminfo[SK_MEMINFO_VARS];
  socklen_t size = sizeof meminfo;
  memset(meminfo, 0, sizeof meminfo);
  if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, meminfo, &size) != 0) return number(env, -errno);
  if (size <= SK_MEMINFO_DROPS * sizeof meminfo[0]) return number(env, -ENOPROTOOPT); // a kernel before 4.14
  // A count, not a signed value: past 2^31 it would read as negative; say so as large rather than as an error.
  uint32_t drops = meminfo[SK_MEMINFO_DROPS];
  return number(env, drops > INT32_MAX ? INT32_MAX : (int32_t)drops);
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "recvBatch", NAPI_AUTO_LENGTH, RecvBatch, NULL, &fn);
  napi_set_named_property(env, exports, "recvBatch", fn);
  napi_create_function(env, "socketDrops", NAPI_AUTO_LENGTH, SocketDrops, NULL, &fn);
  napi_set_named_property(env, exports, "socketDrops", fn);
  napi_value max;
  napi_create_int32(env, MAX_BATCH, &max);
  napi_set_named_property(env, exports, "MAX_BATCH", max);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)

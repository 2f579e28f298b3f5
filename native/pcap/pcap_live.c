// lanmsg's live capture (listen --capture): a libpcap handle whose selectable fd is watched by libuv; on
// readiness JavaScript is told, and it copies the waiting packets into its own buffer in one call. The filter is
// compiled into the kernel (BPF), so traffic it does not pass costs lanmsg nothing. Not immediate mode: that is
// TPACKET_V2, one ring slot of the snapshot length (64 KiB on an interface with offloads) per packet, which lost
// 28-36 % of a burst of 5,000 datagrams; TPACKET_V3 blocks pack them and lost none of 200,000 (bench/capture-bindings.mjs).
#include <errno.h>
#include <node_api.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

typedef struct {
  pcap_t *pcap;
  uv_poll_t poll;
  napi_env env;
  napi_ref on_readable;
  int polling;
  int closed;
  int snaplen;
  // Freed when both are done: libuv has closed the poll handle, and JavaScript's handle was collected.
  int poll_closed;
  int finalized;
} capture_t;

// Where pcap_dispatch's callback copies packets: bytes, and per packet 5 doubles (offset, captured length,
// original length, seconds, microseconds).
typedef struct {
  uint8_t *bytes;
  size_t size;
  size_t used;
  double *meta;
  size_t max;
  size_t count;
} batch_t;

#define THROW(env, msg)                                                                                          \
  do {                                                                                                           \
    napi_throw_error((env), NULL, (msg));                                                                        \
    return NULL;                                                                                                 \
  } while (0)

static void throw_coded(napi_env env, const char *code, const char *message) {
  napi_throw_error(env, code, message);
}

static void on_poll(uv_poll_t *handle, int status, int events) {
  (void)events;
  capture_t *cap = handle->data;
  if (cap->closed) return;
  napi_handle_scope scope;
  napi_open_handle_scope(cap->env, &scope);
  napi_value callback, global, arg, result;
  napi_get_reference_value(cap->env, cap->on_readable, &callback);
  napi_get_global(cap->env, &global);
  napi_create_int32(cap->env, status, &arg);
  napi_status call = napi_call_function(cap->env, global, callback, 1, &arg, &result);
  if (call == napi_pending_exception) {
    napi_value error;
    napi_get_and_clear_last_exception(cap->env, &error);
    napi_fatal_exception(cap->env, error);
  }
  napi_close_handle_scope(cap->env, scope);
}

static void on_closed(uv_handle_t *handle) {
  capture_t *cap = handle->data;
  cap->poll_closed = 1;
  if (cap->finalized) free(cap);
}

static capture_t *unwrap(napi_env env, napi_value value) {
  capture_t *cap = NULL;
  if (napi_get_value_external(env, value, (void **)&cap) != napi_ok || cap == NULL || cap->closed) {
    napi_throw_error(env, NULL, "capture is closed");
    return NULL;
  }
  return cap;
}

static void close_capture(napi_env env, capture_t *cap) {
  if (cap->closed) return;
  cap->closed = 1;
  if (cap->polling) uv_poll_stop(&cap->poll);
  napi_delete_reference(env, cap->on_readable);
  pcap_close(cap->pcap);
  cap->pcap = NULL;
  uv_close((uv_handle_t *)&cap->poll, on_closed);
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  capture_t *cap = data;
  close_capture(env, cap); // never closed by JavaScript (it always is): no leak of the fd
  cap->finalized = 1;
  if (cap->poll_closed) free(cap);
}

// open(interface, snaplen, bufferBytes, filter, onReadable, blockTimeoutMs) -> handle; throws with code EPERM,
// ENODEV or EPCAP.
static napi_value open_capture(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 6) THROW(env, "open(interface, snaplen, bufferBytes, filter, onReadable, blockTimeoutMs)");
  char device[256], filter[1024], errbuf[PCAP_ERRBUF_SIZE] = "";
  size_t len;
  int32_t snaplen, buffer, timeout;
  if (napi_get_value_string_utf8(env, argv[0], device, sizeof device, &len) != napi_ok) THROW(env, "interface");
  napi_get_value_int32(env, argv[1], &snaplen);
  napi_get_value_int32(env, argv[2], &buffer);
  napi_get_value_int32(env, argv[5], &timeout);
  if (napi_get_value_string_utf8(env, argv[3], filter, sizeof filter, &len) != napi_ok) THROW(env, "filter");

  pcap_t *pcap = pcap_create(device, errbuf);
  if (pcap == NULL) {
    throw_coded(env, "EPCAP", errbuf);
    return NULL;
  }
  pcap_set_snaplen(pcap, snaplen);
  pcap_set_promisc(pcap, 1); // a mirror port's frames are addressed to other hosts
  pcap_set_timeout(pcap, timeout); // a block of packets is handed over when full or this old
  pcap_set_buffer_size(pcap, buffer);
  int status = pcap_activate(pcap);
  if (status < 0) {
    const char *code = status == PCAP_ERROR_PERM_DENIED ? "EPERM"
                       : status == PCAP_ERROR_NO_SUCH_DEVICE ? "ENODEV"
                                                             : "EPCAP";
    char message[PCAP_ERRBUF_SIZE + 64];
    snprintf(message, sizeof message, "%s", pcap_geterr(pcap)[0] ? pcap_geterr(pcap) : pcap_statustostr(status));
    pcap_close(pcap);
    throw_coded(env, code, message);
    return NULL;
  }
  struct bpf_program program;
  if (pcap_compile(pcap, &program, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 || pcap_setfilter(pcap, &program) != 0) {
    char message[PCAP_ERRBUF_SIZE + 64];
    snprintf(message, sizeof message, "filter: %s", pcap_geterr(pcap));
    pcap_close(pcap);
    throw_coded(env, "EPCAP", message);
    return NULL;
  }
  pcap_freecode(&program);
  if (pcap_setnonblock(pcap, 1, errbuf) != 0) {
    pcap_close(pcap);
    throw_coded(env, "EPCAP", errbuf);
    return NULL;
  }
  int fd = pcap_get_selectable_fd(pcap);
  if (fd < 0) {
    pcap_close(pcap);
    throw_coded(env, "EPCAP", "no selectable file descriptor");
    return NULL;
  }

  capture_t *cap = calloc(1, sizeof *cap);
  cap->pcap = pcap;
  cap->env = env;
  cap->snaplen = pcap_snapshot(pcap);
  napi_create_reference(env, argv[4], 1, &cap->on_readable);
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  uv_poll_init(loop, &cap->poll, fd);
  cap->poll.data = cap;
  // Referenced: a capture keeps the process alive, as a listening socket does, until it is closed.
  uv_poll_start(&cap->poll, UV_READABLE, on_poll);
  cap->polling = 1;
  napi_value handle;
  napi_create_external(env, cap, finalize, NULL, &handle);
  return handle;
}

static void copy_packet(u_char *user, const struct pcap_pkthdr *header, const u_char *data) {
  batch_t *batch = (batch_t *)user;
  if (batch->count >= batch->max || batch->used + header->caplen > batch->size) {
    return; // never while read_capture's `room` holds: skipped rather than overrun the buffer
  }
  memcpy(batch->bytes + batch->used, data, header->caplen);
  double *m = batch->meta + batch->count * 5;
  m[0] = (double)batch->used;
  m[1] = header->caplen;
  m[2] = header->len;
  m[3] = (double)header->ts.tv_sec;
  m[4] = (double)header->ts.tv_usec;
  batch->used += header->caplen;
  batch->count++;
}

// read(handle, bytes: Uint8Array, meta: Float64Array) -> packets copied (0: none waiting); throws EPCAP.
static napi_value read_capture(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  capture_t *cap = unwrap(env, argv[0]);
  if (cap == NULL) return NULL;
  batch_t batch = {0};
  napi_typedarray_type type;
  size_t length;
  void *data;
  napi_get_typedarray_info(env, argv[1], &type, &length, &data, NULL, NULL);
  batch.bytes = data;
  batch.size = length;
  napi_get_typedarray_info(env, argv[2], &type, &length, &data, NULL, NULL);
  batch.meta = data;
  batch.max = length / 5;
  // pcap hands over a packet before we see its size: each call takes at most as many as surely fit (snaplen each).
  int room = (int)(batch.size / (size_t)(cap->snaplen > 0 ? cap->snaplen : 65535));
  if (room > (int)batch.max) room = (int)batch.max;
  if (room < 1) room = 1;
  int n = pcap_dispatch(cap->pcap, room, copy_packet, (u_char *)&batch);
  if (n == PCAP_ERROR) {
    throw_coded(env, "EPCAP", pcap_geterr(cap->pcap));
    return NULL;
  }
  napi_value result;
  napi_create_uint32(env, (uint32_t)batch.count, &result);
  return result;
}

// pause(handle, paused): stop or restart watching the fd (a slow reader: packets wait in the kernel's buffer).
static napi_value pause_capture(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  capture_t *cap = unwrap(env, argv[0]);
  if (cap == NULL) return NULL;
  bool paused;
  napi_get_value_bool(env, argv[1], &paused);
  if (paused && cap->polling) uv_poll_stop(&cap->poll);
  if (!paused && !cap->polling) uv_poll_start(&cap->poll, UV_READABLE, on_poll);
  cap->polling = !paused;
  return NULL;
}

// stats(handle) -> [received, dropped by the kernel (buffer full), dropped by the interface]
static napi_value stats_capture(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  capture_t *cap = unwrap(env, argv[0]);
  if (cap == NULL) return NULL;
  struct pcap_stat st;
  if (pcap_stats(cap->pcap, &st) != 0) memset(&st, 0, sizeof st);
  napi_value result, value;
  napi_create_array_with_length(env, 3, &result);
  unsigned values[3] = {st.ps_recv, st.ps_drop, st.ps_ifdrop};
  for (uint32_t i = 0; i < 3; i++) {
    napi_create_uint32(env, values[i], &value);
    napi_set_element(env, result, i, value);
  }
  return result;
}

static napi_value link_type(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  capture_t *cap = unwrap(env, argv[0]);
  if (cap == NULL) return NULL;
  napi_create_int32(env, pcap_datalink(cap->pcap), &result);
  return result;
}

static napi_value close_js(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  capture_t *cap = NULL;
  if (napi_get_value_external(env, argv[0], (void **)&cap) == napi_ok && cap != NULL) close_capture(env, cap);
  return NULL;
}

static napi_value version(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  napi_create_string_utf8(env, pcap_lib_version(), NAPI_AUTO_LENGTH, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, open_capture, NULL, NULL, NULL, napi_default, NULL},
      {"read", NULL, read_capture, NULL, NULL, NULL, napi_default, NULL},
      {"pause", NULL, pause_capture, NULL, NULL, NULL, napi_default, NULL},
      {"stats", NULL, stats_capture, NULL, NULL, NULL, napi_default, NULL},
      {"linkType", NULL, link_type, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, close_js, NULL, NULL, NULL, napi_default, NULL},
      {"version", NULL, version, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

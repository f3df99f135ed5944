/*
 * Steering of an SO_REUSEPORT group (a socket_drain fcgi pool, src/sockets/drain-pool.ts): which
 * of the group's listening sockets the kernel gives each new connection to.
 *
 * steerReuseport(fd, indices) attaches to the group of `fd` (every socket bound to the same
 * address with SO_REUSEPORT by the same user) a classic BPF program (SO_ATTACH_REUSEPORT_CBPF,
 * Linux >= 4.5, no privilege needed) that returns one of `indices` at random: the positions, in
 * the kernel's array of the group's sockets, of the sockets that may receive. The kernel keeps
 * that array in the order the sockets called listen(); closing one moves the last into its
 * place (the caller models this). One program per group: attaching replaces the previous one.
 *
 *   ld  rand            A = a random u32 (SKF_AD_RANDOM)
 *   mod #n              A = A % n
 *   jeq #0, 0, 1        one pair per index: if A == i, return indices[i]
 *   ret #indices[0]
 *   ...
 *   ret #indices[0]     (not reached)
 *
 * Throws a system error (ENOPROTOOPT on kernels without the option, EINVAL …).
 */
#define _GNU_SOURCE
#include <node_api.h>

#include <errno.h>
#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#ifndef SO_ATTACH_REUSEPORT_CBPF
#define SO_ATTACH_REUSEPORT_CBPF 51
#endif

#define MAX_TARGETS 1024

static napi_value fail(napi_env env, int err, const char *what) {
  char msg[200];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_value code, message, error, v;
  napi_create_string_utf8(env, err == ENOPROTOOPT ? "ENOPROTOOPT" : err == EINVAL ? "EINVAL" : err == EBADF ? "EBADF" : "EUNKNOWN", NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  napi_create_int32(env, -err, &v);
  napi_set_named_property(env, error, "errno", v);
  napi_throw(env, error);
  return NULL;
}

napi_value tsv_steer_reuseport(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd = -1;
  bool is_array = false;
  uint32_t n = 0;
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || napi_is_array(env, argv[1], &is_array) != napi_ok || !is_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "steerReuseport(fd, indices: number[])");
    return NULL;
  }
  napi_get_array_length(env, argv[1], &n);
  if (n < 1 || n > MAX_TARGETS) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "steerReuseport: 1 to 1024 indices");
    return NULL;
  }
  struct sock_filter *code = calloc(2 + 2 * n + 1, sizeof *code);
  if (!code) return fail(env, ENOMEM, "steerReuseport");
  size_t k = 0;
  code[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)(SKF_AD_OFF + SKF_AD_RANDOM));
  code[k++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, n);
  uint32_t first = 0;
  for (uint32_t i = 0; i < n; i++) {
    napi_value e;
    uint32_t index = 0;
    napi_get_element(env, argv[1], i, &e);
    if (napi_get_value_uint32(env, e, &index) != napi_ok) {
      free(code);
      napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "steerReuseport: indices must be numbers");
      return NULL;
    }
    if (i == 0) first = index;
    code[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, i, 0, 1);
    code[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, index);
  }
  code[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, first);
  struct sock_fprog prog = {.len = (unsigned short)k, .filter = code};
  int r = setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof prog);
  int e = errno;
  free(code);
  if (r < 0) return fail(env, e, "setsockopt SO_ATTACH_REUSEPORT_CBPF");
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

/*
 * The helpers every section of the addon shares (tsv_napi.c): system errors shaped like Node's,
 * argument checks, small object setters. Hidden: not exported from the addon, so that no symbol
 * of node's can stand in for them.
 */
#ifndef TSV_NAPI_H
#define TSV_NAPI_H
#include <node_api.h>
#include <stdint.h>

#pragma GCC visibility push(hidden)
const char *errno_name(int err);
void throw_sys(napi_env env, int err, const char *syscall, const char *what, const char *extra_key, napi_value extra_val);
/* throw_sys for a call on an fd: "SYSCALL fd N: ..." */
void throw_fd(napi_env env, int err, const char *syscall, int fd);
void throw_type(napi_env env, const char *msg);
napi_value undefined(napi_env env);
napi_value null_value(napi_env env);
int arg_int64(napi_env env, napi_value v, const char *name, int64_t *out);
int arg_int(napi_env env, napi_value v, const char *name, int *out);
char *arg_string(napi_env env, napi_value v, const char *name);
void set_int(napi_env env, napi_value obj, const char *key, int64_t x);
void set_str(napi_env env, napi_value obj, const char *key, const char *s);
/* An armed spawn's gate let go by a ready signal's reader (notify, fd): one byte, closed, then
 * the CPU yielded once. */
void tsv_let_go(int fd);
/* Work for a libuv worker thread: `run` runs there and sets `result`, which the promise that
 * queue_job returns resolves to. The caller callocs the job (a struct whose first member is a
 * tsv_job); it is freed once the promise is resolved. */
typedef struct tsv_job {
  napi_async_work work;
  napi_deferred deferred;
  double result;
  void (*run)(struct tsv_job *job);
} tsv_job;
napi_value queue_job(napi_env env, tsv_job *job, const char *name);
#pragma GCC visibility pop

#define GET_ARGS(n)                                             \
  size_t argc = n;                                              \
  napi_value argv[n > 0 ? n : 1];                               \
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);         \
  if (argc < n) {                                               \
    throw_type(env, "expected " #n " arguments");               \
    return NULL;                                                \
  }

#endif

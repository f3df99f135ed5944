/*
 * N-API helpers shared by the addon's sections (declared in tsv_napi.h): errors are thrown as
 * JS Errors shaped like Node's system errors (.code = errno name, .errno = -errno, .syscall,
 * and .address/.port or .path), arguments are checked with a TypeError naming the argument.
 */
#define _GNU_SOURCE
#include <node_api.h>

#include <errno.h>
#include <sched.h>
#include <unistd.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tsv_errname.h"
#include "tsv_napi.h"

/* The name Node would give (.code); EUNKNOWN for an errno without one (tsv_errname.h's table). */
const char *errno_name(int err) {
  static char buf[32];
  const char *n = tsv_errno_name(err, buf);
  return n == buf ? "EUNKNOWN" : n;
}

/* Throws a system error. `what` is the object (address, path...) named in the message. */
void throw_sys(napi_env env, int err, const char *syscall, const char *what,
                      const char *extra_key, napi_value extra_val) {
  char msg[1024];
  if (what && *what)
    snprintf(msg, sizeof msg, "%s %s: %s (%s)", syscall, what, strerror(err), errno_name(err));
  else
    snprintf(msg, sizeof msg, "%s: %s (%s)", syscall, strerror(err), errno_name(err));
  napi_value code, message, error, v;
  napi_create_string_utf8(env, errno_name(err), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  napi_create_int32(env, -err, &v);
  napi_set_named_property(env, error, "errno", v);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, error, "syscall", v);
  if (extra_key && extra_val) napi_set_named_property(env, error, extra_key, extra_val);
  napi_throw(env, error);
}

/* throw_sys for the addon's other files (tsv_spawn.c). */
void tsv_throw_sys(napi_env env, int err, const char *syscall, const char *what) {
  throw_sys(env, err, syscall, what, NULL, NULL);
}

void throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
}

napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

/* throw_sys for a call on an fd: "SYSCALL fd N: ..." */
void throw_fd(napi_env env, int err, const char *syscall, int fd) {
  char what[32];
  snprintf(what, sizeof what, "fd %d", fd);
  throw_sys(env, err, syscall, what, NULL, NULL);
}

napi_value null_value(napi_env env) {
  napi_value u;
  napi_get_null(env, &u);
  return u;
}

/* Argument readers: return 0 on success, -1 after throwing. */
int arg_int64(napi_env env, napi_value v, const char *name, int64_t *out) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t != napi_number) {
    char m[128];
    snprintf(m, sizeof m, "%s must be a number", name);
    throw_type(env, m);
    return -1;
  }
  double d;
  napi_get_value_double(env, v, &d);
  if (!isfinite(d) || d != floor(d)) {
    char m[128];
    snprintf(m, sizeof m, "%s must be an integer", name);
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", m);
    return -1;
  }
  *out = (int64_t)d;
  return 0;
}

int arg_int(napi_env env, napi_value v, const char *name, int *out) {
  int64_t x;
  if (arg_int64(env, v, name, &x)) return -1;
  if (x < INT32_MIN || x > INT32_MAX) {
    char m[128];
    snprintf(m, sizeof m, "%s is out of range", name);
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", m);
    return -1;
  }
  *out = (int)x;
  return 0;
}

/* Reads a string into a malloc'ed buffer (caller frees). */
char *arg_string(napi_env env, napi_value v, const char *name) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t != napi_string) {
    char m[128];
    snprintf(m, sizeof m, "%s must be a string", name);
    throw_type(env, m);
    return NULL;
  }
  size_t len;
  napi_get_value_string_utf8(env, v, NULL, 0, &len);
  char *s = malloc(len + 1);
  if (!s) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  if (strlen(s) != len) {
    free(s);
    char m[128];
    snprintf(m, sizeof m, "%s must not contain NUL bytes", name);
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", m);
    return NULL;
  }
  return s;
}


void set_int(napi_env env, napi_value obj, const char *key, int64_t x) {
  napi_value v;
  napi_create_int64(env, x, &v);
  napi_set_named_property(env, obj, key, v);
}

void set_str(napi_env env, napi_value obj, const char *key, const char *s) {
  napi_value v;
  napi_create_string_utf8(env, s ? s : "", NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, key, v);
}

/*
 * The pipe's write wakes the child "synchronously": the kernel puts it on this CPU, expecting
 * the writer to sleep, and the daemon instead goes on with the signal's bookkeeping in JS
 * (~0.5-1.5 ms, cold): the child waited for it, though the other core was idle (ready=notify,
 * 100 rounds: median 1.26-1.55 ms with this reader's write, 0.49 ms with the yield).
 */
void tsv_let_go(int fd) {
  static const char go = 1;
  ssize_t w;
  do w = write(fd, &go, 1);
  while (w < 0 && errno == EINTR);
  close(fd);
  sched_yield();
}

static void job_execute(napi_env env, void *data) {
  (void)env;
  tsv_job *job = data;
  job->run(job);
}

static void job_complete(napi_env env, napi_status status, void *data) {
  (void)status;
  tsv_job *job = data;
  napi_value result;
  napi_create_double(env, job->result, &result);
  napi_resolve_deferred(env, job->deferred, result);
  napi_delete_async_work(env, job->work);
  free(job);
}

napi_value queue_job(napi_env env, tsv_job *job, const char *name) {
  napi_value promise, name_v;
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &name_v);
  napi_create_async_work(env, NULL, name_v, job_execute, job_complete, job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}

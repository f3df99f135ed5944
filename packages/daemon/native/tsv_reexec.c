/*
 * reexec (issue 14): what Node cannot do to execute the daemon's code again in the same process.
 *
 * clearCloexec(fd): the fds the new image keeps (children's pipes, fcgi listening sockets)
 * lose FD_CLOEXEC; every other fd of the daemon is O_CLOEXEC and goes at the exec.
 * dupFd(fd): a second fd (O_CLOEXEC) on the same open file: a listening socket handed to the next
 * image stays open (its backlog queues connections) while Node closes its own fd.
 * reexec(path, argv, env): execve(2) on the calling thread. libuv and Node may have signals
 * blocked (its signal thread, uv_spawn's windows); a blocked mask survives execve and would keep
 * the new image deaf to SIGCHLD/SIGTERM, so the mask is emptied first. Handled signals go back
 * to their defaults by execve itself. Returns only on failure (throws the errno).
 */
#define _GNU_SOURCE
#include <node_api.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static napi_value throw_errno(napi_env env, const char *syscall, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", syscall, strerror(err));
  napi_throw_error(env, NULL, msg);
  return NULL;
}

napi_value tsv_clear_cloexec(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    napi_throw_type_error(env, NULL, "clearCloexec(fd): fd must be a number");
    return NULL;
  }
  int flags = fcntl(fd, F_GETFD);
  if (flags < 0 || fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0) return throw_errno(env, "fcntl(F_SETFD)", errno);
  return NULL;
}

napi_value tsv_dup_fd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    napi_throw_type_error(env, NULL, "dupFd(fd): fd must be a number");
    return NULL;
  }
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (copy < 0) return throw_errno(env, "fcntl(F_DUPFD_CLOEXEC)", errno);
  napi_value r;
  napi_create_int32(env, copy, &r);
  return r;
}

/* A JS array of strings as a NULL-terminated char* array (malloc'd; freed on failure only). */
static char **string_array(napi_env env, napi_value arr) {
  uint32_t n;
  if (napi_get_array_length(env, arr, &n) != napi_ok) return NULL;
  char **out = calloc(n + 1, sizeof *out);
  if (!out) return NULL;
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    size_t len;
    napi_get_element(env, arr, i, &v);
    if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return NULL;
    out[i] = malloc(len + 1);
    if (!out[i]) return NULL;
    napi_get_value_string_utf8(env, v, out[i], len + 1, &len);
  }
  return out;
}

static void free_array(char **a) {
  if (!a) return;
  for (char **p = a; *p; p++) free(*p);
  free(a);
}

napi_value tsv_reexec(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 3) {
    napi_throw_type_error(env, NULL, "reexec(path, argv, env): 3 arguments");
    return NULL;
  }
  char path[4096];
  size_t len;
  if (napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "reexec: path must be a string");
    return NULL;
  }
  char **args = string_array(env, argv[1]);
  char **envp = string_array(env, argv[2]);
  if (!args || !envp) {
    free_array(args);
    free_array(envp);
    napi_throw_type_error(env, NULL, "reexec: argv and env must be arrays of strings");
    return NULL;
  }
  sigset_t all, old;
  sigemptyset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  execve(path, args, envp);
  int err = errno;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  free_array(args);
  free_array(envp);
  return throw_errno(env, "execve", err);
}

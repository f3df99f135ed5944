/*
 * tsv_native: the few system calls tsupervisord needs and Node does not offer. This file holds
 * the module's table (every function the addon exports, from all its files) and the small
 * parts: rlimits, users and groups, reaping, pipes, datagrams. Sockets are in tsv_sockets.c, the
 * helpers all parts share in tsv_napi.c; README.md lists the others.
 *
 * Plain C against Node-API (NAPI_VERSION 8), no npm dependency. Errors are thrown as JS Errors
 * shaped like Node's system errors: .code = errno name ("EADDRINUSE"), .errno = -errno (Node's
 * convention), .syscall, plus .address/.port or .path where relevant, and a message naming the
 * address or path.
 */
#define _GNU_SOURCE
#include <node_api.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "tsv_napi.h"

/* ---------------------------------------------------------------- rlimits */

static int resource_of(napi_env env, napi_value v, int *res, char *name, size_t nlen) {
  char *s = arg_string(env, v, "resource");
  if (!s) return -1;
  snprintf(name, nlen, "%s", s);
  int ok = 0;
  if (strcmp(s, "nofile") == 0) { *res = RLIMIT_NOFILE; ok = 1; }
  else if (strcmp(s, "nproc") == 0) { *res = RLIMIT_NPROC; ok = 1; }
  else if (strcmp(s, "core") == 0) { *res = RLIMIT_CORE; ok = 1; }
  free(s);
  if (!ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "resource must be 'nofile', 'nproc' or 'core'");
    return -1;
  }
  return 0;
}

static napi_value rlim_value(napi_env env, rlim_t x) {
  napi_value v;
  if (x == RLIM_INFINITY) napi_create_double(env, INFINITY, &v);
  else napi_create_double(env, (double)x, &v);
  return v;
}

static int arg_rlim(napi_env env, napi_value v, const char *name, rlim_t *out) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  double d;
  if (t != napi_number || (napi_get_value_double(env, v, &d), d < 0 || isnan(d) ||
                           (isfinite(d) && d != floor(d)))) {
    char m[128];
    snprintf(m, sizeof m, "%s must be a non-negative integer or Infinity", name);
    throw_type(env, m);
    return -1;
  }
  *out = isinf(d) ? RLIM_INFINITY : (rlim_t)d;
  return 0;
}

static napi_value get_rlimit(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int res;
  char name[32];
  if (resource_of(env, argv[0], &res, name, sizeof name)) return NULL;
  struct rlimit rl;
  if (getrlimit(res, &rl) < 0) {
    throw_sys(env, errno, "getrlimit", name, NULL, NULL);
    return NULL;
  }
  napi_value obj;
  napi_create_object(env, &obj);
  napi_set_named_property(env, obj, "soft", rlim_value(env, rl.rlim_cur));
  napi_set_named_property(env, obj, "hard", rlim_value(env, rl.rlim_max));
  return obj;
}

static napi_value set_rlimit(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int res;
  char name[32];
  if (resource_of(env, argv[0], &res, name, sizeof name)) return NULL;
  struct rlimit rl;
  if (arg_rlim(env, argv[1], "soft", &rl.rlim_cur) || arg_rlim(env, argv[2], "hard", &rl.rlim_max)) return NULL;
  if (setrlimit(res, &rl) < 0) {
    throw_sys(env, errno, "setrlimit", name, NULL, NULL);
    return NULL;
  }
  return undefined(env);
}

/* ---------------------------------------------------------------- users and groups */

static napi_value passwd_object(napi_env env, struct passwd *pw) {
  napi_value obj;
  napi_create_object(env, &obj);
  set_str(env, obj, "name", pw->pw_name);
  set_int(env, obj, "uid", pw->pw_uid);
  set_int(env, obj, "gid", pw->pw_gid);
  set_str(env, obj, "home", pw->pw_dir);
  set_str(env, obj, "shell", pw->pw_shell);
  return obj;
}

static napi_value lookup_pw(napi_env env, const char *name, uid_t uid, int by_name) {
  size_t size = 16384;
  for (;;) {
    char *buf = malloc(size);
    if (!buf) {
      napi_throw_error(env, "ENOMEM", "out of memory");
      return NULL;
    }
    struct passwd pw, *res = NULL;
    int e = by_name ? getpwnam_r(name, &pw, buf, size, &res) : getpwuid_r(uid, &pw, buf, size, &res);
    if (e == ERANGE && size < (1u << 24)) {
      free(buf);
      size *= 4;
      continue;
    }
    napi_value r;
    if (res) r = passwd_object(env, res);
    else if (e == 0 || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM) r = null_value(env);
    else {
      char what[300];
      if (by_name) snprintf(what, sizeof what, "%s", name);
      else snprintf(what, sizeof what, "%u", (unsigned)uid);
      throw_sys(env, e, by_name ? "getpwnam" : "getpwuid", what, NULL, NULL);
      r = NULL;
    }
    free(buf);
    return r;
  }
}

static napi_value js_getpwnam(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  char *name = arg_string(env, argv[0], "name");
  if (!name) return NULL;
  napi_value r = lookup_pw(env, name, 0, 1);
  free(name);
  return r;
}

static napi_value js_getpwuid(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int64_t uid;
  if (arg_int64(env, argv[0], "uid", &uid)) return NULL;
  if (uid < 0 || uid > UINT32_MAX) return null_value(env);
  return lookup_pw(env, NULL, (uid_t)uid, 0);
}

static napi_value js_getgrnam(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  char *name = arg_string(env, argv[0], "name");
  if (!name) return NULL;
  size_t size = 16384;
  for (;;) {
    char *buf = malloc(size);
    if (!buf) {
      free(name);
      napi_throw_error(env, "ENOMEM", "out of memory");
      return NULL;
    }
    struct group gr, *res = NULL;
    int e = getgrnam_r(name, &gr, buf, size, &res);
    if (e == ERANGE && size < (1u << 24)) {
      free(buf);
      size *= 4;
      continue;
    }
    napi_value r;
    if (res) napi_create_int64(env, res->gr_gid, &r);
    else if (e == 0 || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM) r = null_value(env);
    else {
      throw_sys(env, e, "getgrnam", name, NULL, NULL);
      r = NULL;
    }
    free(buf);
    free(name);
    return r;
  }
}

/* ---------------------------------------------------------------- processes */

static napi_value set_child_subreaper(napi_env env, napi_callback_info info) {
  (void)info;
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
    throw_sys(env, errno, "prctl(PR_SET_CHILD_SUBREAPER)", NULL, NULL, NULL);
    return NULL;
  }
  return undefined(env);
}

/* reapPid(pid) -> {pid, status, code, signal} | null (still running). Throws ECHILD if pid is
 * not a child. Use it only for adopted orphans: reaping a child that libuv spawned would
 * steal its exit event. */
static napi_value reap_pid(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int pid;
  if (arg_int(env, argv[0], "pid", &pid)) return NULL;
  int status = 0;
  pid_t r;
  do r = waitpid(pid, &status, WNOHANG);
  while (r < 0 && errno == EINTR);
  if (r < 0) {
    char what[32];
    snprintf(what, sizeof what, "pid %d", pid);
    throw_sys(env, errno, "waitpid", what, NULL, NULL);
    return NULL;
  }
  if (r == 0) return null_value(env);
  napi_value obj, v;
  napi_create_object(env, &obj);
  set_int(env, obj, "pid", r);
  set_int(env, obj, "status", status);
  if (WIFEXITED(status)) set_int(env, obj, "code", WEXITSTATUS(status));
  else napi_set_named_property(env, obj, "code", null_value(env));
  if (WIFSIGNALED(status)) {
    const char *abbrev = NULL;
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
    abbrev = sigabbrev_np(WTERMSIG(status));
#endif
    char sname[32];
    if (abbrev) snprintf(sname, sizeof sname, "SIG%s", abbrev);
    else snprintf(sname, sizeof sname, "%d", WTERMSIG(status));
    napi_create_string_utf8(env, sname, NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, obj, "signal", v);
  } else {
    napi_set_named_property(env, obj, "signal", null_value(env));
  }
  return obj;
}

/* ---------------------------------------------------------------- pipes */

/* makePipe() -> {read, write, size}: an anonymous pipe, both ends O_CLOEXEC and blocking, for a
 * child's stdout/stderr (supervisor uses pipes; libuv's stdio 'pipe' is a socketpair). */
static napi_value make_pipe(napi_env env, napi_callback_info info) {
  (void)info;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) {
    throw_sys(env, errno, "pipe2", NULL, NULL, NULL);
    return NULL;
  }
  napi_value obj;
  napi_create_object(env, &obj);
  set_int(env, obj, "read", fds[0]);
  set_int(env, obj, "write", fds[1]);
  set_int(env, obj, "size", fcntl(fds[0], F_GETPIPE_SZ));
  return obj;
}

/* setPipeSize(fd, size) -> the capacity the pipe has now. F_SETPIPE_SZ, best effort: EPERM
 * (above pipe-max-size, or the user's pipe-user-pages-soft budget is used up) and EBUSY
 * (shrinking below what it holds) leave it as it was. Other errors (EBADF, not a pipe) throw. */
static napi_value set_pipe_size(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  int fd, want;
  if (arg_int(env, argv[0], "fd", &fd) || arg_int(env, argv[1], "size", &want)) return NULL;
  int got = fcntl(fd, F_SETPIPE_SZ, want);
  if (got < 0 && (errno == EPERM || errno == EBUSY)) got = fcntl(fd, F_GETPIPE_SZ);
  if (got < 0) {
    throw_fd(env, errno, "fcntl(F_SETPIPE_SZ)", fd);
    return NULL;
  }
  napi_value r;
  napi_create_int32(env, got, &r);
  return r;
}

/* ---------------------------------------------------------------- datagrams (syslog) */

/* dgramSocket() -> fd: an unbound AF_UNIX SOCK_DGRAM socket, non-blocking and close-on-exec,
 * for sending to /dev/log (Node has no unix datagram sockets). Never registered with libuv. */
static napi_value dgram_socket(napi_env env, napi_callback_info info) {
  (void)info;
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    throw_sys(env, errno, "socket(AF_UNIX, SOCK_DGRAM)", NULL, NULL, NULL);
    return NULL;
  }
  napi_value r;
  napi_create_int32(env, fd, &r);
  return r;
}

/* dgramSend(fd, path, buffer) -> null when sent, else the errno name ("ENOENT": nobody listens
 * at path; "@name" is the abstract address), "ECONNREFUSED", "EAGAIN": the receiver's queue is full, "EMSGSIZE" ...). sendto with
 * MSG_DONTWAIT: it never blocks the event loop; a datagram that cannot go now is not sent.
 * Bad arguments throw. */
static napi_value dgram_send(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  int fd;
  if (arg_int(env, argv[0], "fd", &fd)) return NULL;
  char *path = arg_string(env, argv[1], "path");
  if (!path) return NULL;
  bool is_buffer = false;
  napi_is_buffer(env, argv[2], &is_buffer);
  if (!is_buffer) {
    free(path);
    throw_type(env, "data must be a Buffer");
    return NULL;
  }
  void *data;
  size_t len;
  napi_get_buffer_info(env, argv[2], &data, &len);
  struct sockaddr_un sun;
  memset(&sun, 0, sizeof sun);
  sun.sun_family = AF_UNIX;
  int err = 0;
  size_t plen = strlen(path);
  socklen_t addrlen = sizeof sun;
  if (plen >= sizeof sun.sun_path) err = ENAMETOOLONG;
  else {
    strcpy(sun.sun_path, path);
    /* "@name" is the abstract address "\0name" (sd_notify's NOTIFY_SOCKET may be one) */
    if (path[0] == '@') {
      sun.sun_path[0] = '\0';
      addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
    }
    ssize_t n;
    do n = sendto(fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&sun, addrlen);
    while (n < 0 && errno == EINTR);
    if (n < 0) err = errno;
  }
  free(path);
  if (!err) return null_value(env);
  if (err == EWOULDBLOCK) err = EAGAIN;
  napi_value r;
  napi_create_string_utf8(env, errno_name(err), NAPI_AUTO_LENGTH, &r);
  return r;
}

/* ---------------------------------------------------------------- module */

napi_value tsv_listen_tcp(napi_env env, napi_callback_info info); /* tsv_sockets.c */
napi_value tsv_listen_unix(napi_env env, napi_callback_info info);
napi_value tsv_relisten(napi_env env, napi_callback_info info);
napi_value tsv_close_fd(napi_env env, napi_callback_info info);
napi_value tsv_sock_name(napi_env env, napi_callback_info info);
napi_value tsv_peer_cred(napi_env env, napi_callback_info info);
napi_value tsv_trim_memory(napi_env env, napi_callback_info info); /* tsv_memory.c */
napi_value tsv_pipe_init(napi_env env, napi_callback_info info);  /* tsv_pipe.c */
napi_value tsv_pipe_open(napi_env env, napi_callback_info info);
napi_value tsv_pipe_set_buffer(napi_env env, napi_callback_info info);
napi_value tsv_pipe_start(napi_env env, napi_callback_info info);
napi_value tsv_pipe_stop(napi_env env, napi_callback_info info);
napi_value tsv_pipe_close(napi_env env, napi_callback_info info);
napi_value tsv_pipe_go_on_newline(napi_env env, napi_callback_info info);
napi_value tsv_pipe_go_cancel(napi_env env, napi_callback_info info);
napi_value tsv_pipe_splice(napi_env env, napi_callback_info info);
napi_value tsv_set_fd_append(napi_env env, napi_callback_info info);
napi_value tsv_listen_queue(napi_env env, napi_callback_info info); /* tsv_queue.c */
napi_value tsv_proc_units(napi_env env, napi_callback_info info);
napi_value tsv_steer_reuseport(napi_env env, napi_callback_info info); /* tsv_reuseport.c */
napi_value tsv_notify_open(napi_env env, napi_callback_info info); /* tsv_notify.c */
napi_value tsv_notify_close(napi_env env, napi_callback_info info);
napi_value tsv_notify_go_on_ready(napi_env env, napi_callback_info info);
napi_value tsv_notify_go_cancel(napi_env env, napi_callback_info info);
napi_value tsv_notify_go_disable(napi_env env, napi_callback_info info);
napi_value tsv_clear_cloexec(napi_env env, napi_callback_info info); /* tsv_reexec.c */
napi_value tsv_reexec(napi_env env, napi_callback_info info);
napi_value tsv_dup_fd(napi_env env, napi_callback_info info);
napi_value tsv_spawn_process(napi_env env, napi_callback_info info); /* tsv_spawn.c */
napi_value tsv_spawn_direct(napi_env env, napi_callback_info info);  /* tsv_spawn.c */
napi_value tsv_peek_child(napi_env env, napi_callback_info info);
napi_value tsv_spawn_settle(napi_env env, napi_callback_info info);
napi_value tsv_spawn_unexeced_count(napi_env env, napi_callback_info info);
napi_value tsv_count_fds(napi_env env, napi_callback_info info);
napi_value tsv_grow_fd_table(napi_env env, napi_callback_info info);

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"listenTcp", NULL, tsv_listen_tcp, NULL, NULL, NULL, napi_enumerable, NULL},
    {"listenUnix", NULL, tsv_listen_unix, NULL, NULL, NULL, napi_enumerable, NULL},
    {"relisten", NULL, tsv_relisten, NULL, NULL, NULL, napi_enumerable, NULL},
    {"closeFd", NULL, tsv_close_fd, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sockName", NULL, tsv_sock_name, NULL, NULL, NULL, napi_enumerable, NULL},
    {"peerCred", NULL, tsv_peer_cred, NULL, NULL, NULL, napi_enumerable, NULL},
    {"getrlimit", NULL, get_rlimit, NULL, NULL, NULL, napi_enumerable, NULL},
    {"setrlimit", NULL, set_rlimit, NULL, NULL, NULL, napi_enumerable, NULL},
    {"getpwnam", NULL, js_getpwnam, NULL, NULL, NULL, napi_enumerable, NULL},
    {"getpwuid", NULL, js_getpwuid, NULL, NULL, NULL, napi_enumerable, NULL},
    {"getgrnam", NULL, js_getgrnam, NULL, NULL, NULL, napi_enumerable, NULL},
    {"setChildSubreaper", NULL, set_child_subreaper, NULL, NULL, NULL, napi_enumerable, NULL},
    {"reapPid", NULL, reap_pid, NULL, NULL, NULL, napi_enumerable, NULL},
    {"makePipe", NULL, make_pipe, NULL, NULL, NULL, napi_enumerable, NULL},
    {"setPipeSize", NULL, set_pipe_size, NULL, NULL, NULL, napi_enumerable, NULL},
    {"dgramSocket", NULL, dgram_socket, NULL, NULL, NULL, napi_enumerable, NULL},
    {"dgramSend", NULL, dgram_send, NULL, NULL, NULL, napi_enumerable, NULL},
    {"trimMemory", NULL, tsv_trim_memory, NULL, NULL, NULL, napi_enumerable, NULL},
    {"pipeInit", NULL, tsv_pipe_init, NULL, NULL, NULL, napi_enumerable, NULL},
    {"pipeOpen", NULL, tsv_pipe_open, NULL, NULL, NULL, napi_enumerable, NULL},
    {"pipeSetBuffer", NULL, tsv_pipe_set_buffer, NULL, NULL, NULL, napi_enumerable, NULL},
    {"pipeStart", NULL, tsv_pipe_start, NULL, NULL, NULL, napi_enumerable, NULL},
    {"pipeStop", NULL, tsv_pipe_stop, NULL, NULL, NULL, napi_enumerable, NULL},
    {"pipeClose", NULL, tsv_pipe_close, NULL, NULL, NULL, napi_enumerable, NULL},
    {"pipeGoOnNewline", NULL, tsv_pipe_go_on_newline, NULL, NULL, NULL, napi_enumerable, NULL},
    {"pipeGoCancel", NULL, tsv_pipe_go_cancel, NULL, NULL, NULL, napi_enumerable, NULL},
    {"pipeSplice", NULL, tsv_pipe_splice, NULL, NULL, NULL, napi_enumerable, NULL},
    {"setFdAppend", NULL, tsv_set_fd_append, NULL, NULL, NULL, napi_enumerable, NULL},
    {"listenQueue", NULL, tsv_listen_queue, NULL, NULL, NULL, napi_enumerable, NULL},
    {"procUnits", NULL, tsv_proc_units, NULL, NULL, NULL, napi_enumerable, NULL},
    {"steerReuseport", NULL, tsv_steer_reuseport, NULL, NULL, NULL, napi_enumerable, NULL},
    {"notifyOpen", NULL, tsv_notify_open, NULL, NULL, NULL, napi_enumerable, NULL},
    {"notifyClose", NULL, tsv_notify_close, NULL, NULL, NULL, napi_enumerable, NULL},
    {"notifyGoOnReady", NULL, tsv_notify_go_on_ready, NULL, NULL, NULL, napi_enumerable, NULL},
    {"notifyGoCancel", NULL, tsv_notify_go_cancel, NULL, NULL, NULL, napi_enumerable, NULL},
    {"notifyGoDisable", NULL, tsv_notify_go_disable, NULL, NULL, NULL, napi_enumerable, NULL},
    {"clearCloexec", NULL, tsv_clear_cloexec, NULL, NULL, NULL, napi_enumerable, NULL},
    {"dupFd", NULL, tsv_dup_fd, NULL, NULL, NULL, napi_enumerable, NULL},
    {"reexec", NULL, tsv_reexec, NULL, NULL, NULL, napi_enumerable, NULL},
    {"spawnProcess", NULL, tsv_spawn_process, NULL, NULL, NULL, napi_enumerable, NULL},
    {"spawnDirect", NULL, tsv_spawn_direct, NULL, NULL, NULL, napi_enumerable, NULL},
    {"peekChild", NULL, tsv_peek_child, NULL, NULL, NULL, napi_enumerable, NULL},
    {"spawnSettle", NULL, tsv_spawn_settle, NULL, NULL, NULL, napi_enumerable, NULL},
    {"spawnUnexeced", NULL, tsv_spawn_unexeced_count, NULL, NULL, NULL, napi_enumerable, NULL},
    {"countFds", NULL, tsv_count_fds, NULL, NULL, NULL, napi_enumerable, NULL},
    {"growFdTable", NULL, tsv_grow_fd_table, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE_INIT() {
  return init(env, exports);
}

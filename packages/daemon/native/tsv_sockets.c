/*
 * Sockets for the daemon: listening TCP and unix sockets made with SOCK_CLOEXEC, kept blocking
 * and never registered with libuv (children accept on them: fd 0 or LISTEN_FDS through
 * tsv-exec), re-listened with another backlog, closed, named, and a peer's credentials.
 */
#define _GNU_SOURCE
#include <node_api.h>

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "tsv_napi.h"

/* listenTcp(host, port, backlog) -> fd */
napi_value tsv_listen_tcp(napi_env env, napi_callback_info info) {
  /* listenTcp(host, port, backlog[, reuseport]): reuseport sets SO_REUSEPORT before bind (a
   * socket_drain pool's per-worker sockets, src/sockets/drain-pool.ts). */
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 3) {
    throw_type(env, "expected 3 arguments");
    return NULL;
  }
  bool reuseport = false;
  if (argc >= 4) napi_get_value_bool(env, argv[3], &reuseport);
  int port, backlog;
  if (arg_int(env, argv[1], "port", &port) || arg_int(env, argv[2], "backlog", &backlog)) return NULL;
  if (port < 0 || port > 65535) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "port must be 0..65535");
    return NULL;
  }
  char *host = arg_string(env, argv[0], "host");
  if (!host) return NULL;

  /* Accept "[::1]" too, although callers should strip the brackets. */
  char *h = host;
  size_t hl = strlen(h);
  if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
    h[hl - 1] = 0;
    h++;
  }
  /* "" and "*" mean every IPv4 address, as in supervisor's inet_http_server. */
  const char *lit = (*h == 0 || strcmp(h, "*") == 0) ? "0.0.0.0" : h;

  char what[300];
  if (strchr(lit, ':'))
    snprintf(what, sizeof what, "[%s]:%d", lit, port);
  else
    snprintf(what, sizeof what, "%s:%d", lit, port);
  napi_value addr_v;
  napi_create_string_utf8(env, what, NAPI_AUTO_LENGTH, &addr_v);

  /* Numeric only: name resolution blocks and belongs to config loading. */
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
  char portstr[8];
  snprintf(portstr, sizeof portstr, "%d", port);
  int gai = getaddrinfo(lit, portstr, &hints, &res);
  free(host);
  if (gai != 0 || !res) {
    if (res) freeaddrinfo(res);
    char m[400];
    snprintf(m, sizeof m, "listen %s: not a numeric IPv4 or IPv6 address", what);
    napi_value code, message, error;
    napi_create_string_utf8(env, "EINVAL", NAPI_AUTO_LENGTH, &code);
    napi_create_string_utf8(env, m, NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, code, message, &error);
    set_int(env, error, "errno", -EINVAL);
    set_str(env, error, "syscall", "getaddrinfo");
    napi_set_named_property(env, error, "address", addr_v);
    napi_throw(env, error);
    return NULL;
  }

  int family = res->ai_family;
  int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    freeaddrinfo(res);
    throw_sys(env, errno, "socket", what, "address", addr_v);
    return NULL;
  }
  int one = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) {
    int e = errno;
    close(fd);
    freeaddrinfo(res);
    throw_sys(env, e, "setsockopt", what, "address", addr_v);
    return NULL;
  }
  if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) {
    int e = errno;
    close(fd);
    freeaddrinfo(res);
    throw_sys(env, e, "setsockopt", what, "address", addr_v);
    return NULL;
  }
  if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0) {
    int e = errno;
    close(fd);
    freeaddrinfo(res);
    throw_sys(env, e, "setsockopt", what, "address", addr_v);
    return NULL;
  }
  if (bind(fd, res->ai_addr, res->ai_addrlen) < 0) {
    int e = errno;
    close(fd);
    freeaddrinfo(res);
    throw_sys(env, e, "bind", what, "address", addr_v);
    return NULL;
  }
  freeaddrinfo(res);
  if (listen(fd, backlog) < 0) {
    int e = errno;
    close(fd);
    throw_sys(env, e, "listen", what, "address", addr_v);
    return NULL;
  }
  napi_value r;
  napi_create_int32(env, fd, &r);
  return r;
}

/* listenUnix(path, backlog, mode, uid, gid) -> fd */
napi_value tsv_listen_unix(napi_env env, napi_callback_info info) {
  GET_ARGS(5);
  int backlog, mode;
  int64_t uid, gid;
  if (arg_int(env, argv[1], "backlog", &backlog) || arg_int(env, argv[2], "mode", &mode) ||
      arg_int64(env, argv[3], "uid", &uid) || arg_int64(env, argv[4], "gid", &gid))
    return NULL;
  char *path = arg_string(env, argv[0], "path");
  if (!path) return NULL;
  napi_value path_v;
  napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &path_v);

  struct sockaddr_un sa;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  if (*path == 0 || strlen(path) >= sizeof sa.sun_path) {
    throw_sys(env, *path ? ENAMETOOLONG : EINVAL, "bind", path, "path", path_v);
    free(path);
    return NULL;
  }
  strcpy(sa.sun_path, path);

  /* A stale socket file is replaced; anything else at the path is left alone. */
  struct stat st;
  if (lstat(path, &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      char m[400];
      snprintf(m, sizeof m, "listen %s: a file that is not a socket exists at this path; refusing to replace it", path);
      napi_value code, message, error;
      napi_create_string_utf8(env, "EEXIST", NAPI_AUTO_LENGTH, &code);
      napi_create_string_utf8(env, m, NAPI_AUTO_LENGTH, &message);
      napi_create_error(env, code, message, &error);
      set_int(env, error, "errno", -EEXIST);
      set_str(env, error, "syscall", "bind");
      napi_set_named_property(env, error, "path", path_v);
      napi_throw(env, error);
      free(path);
      return NULL;
    }
    if (unlink(path) < 0 && errno != ENOENT) {
      throw_sys(env, errno, "unlink", path, "path", path_v);
      free(path);
      return NULL;
    }
  } else if (errno != ENOENT) {
    throw_sys(env, errno, "lstat", path, "path", path_v);
    free(path);
    return NULL;
  }

  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    throw_sys(env, errno, "socket", path, "path", path_v);
    free(path);
    return NULL;
  }
  const char *failed = NULL;
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    int e = errno;
    close(fd);
    throw_sys(env, e, "bind", path, "path", path_v);
    free(path);
    return NULL;
  }
  /* Owner and mode are set before listen(): nobody can connect while they are still wrong. */
  if ((uid != -1 || gid != -1) && chown(path, (uid_t)uid, (gid_t)gid) < 0) failed = "chown";
  else if (chmod(path, (mode_t)mode) < 0) failed = "chmod";
  else if (listen(fd, backlog) < 0) failed = "listen";
  if (failed) {
    int e = errno;
    close(fd);
    unlink(path);
    throw_sys(env, e, failed, path, "path", path_v);
    free(path);
    return NULL;
  }
  free(path);
  napi_value r;
  napi_create_int32(env, fd, &r);
  return r;
}

/* relisten(fd, backlog): listen() again; Linux applies the new backlog in place. */
napi_value tsv_relisten(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  int fd, backlog;
  if (arg_int(env, argv[0], "fd", &fd) || arg_int(env, argv[1], "backlog", &backlog)) return NULL;
  if (listen(fd, backlog) < 0) {
    throw_fd(env, errno, "listen", fd);
    return NULL;
  }
  return undefined(env);
}

napi_value tsv_close_fd(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int fd;
  if (arg_int(env, argv[0], "fd", &fd)) return NULL;
  /* On Linux the fd is released even when close() reports EINTR: never retry. */
  if (close(fd) < 0 && errno != EINTR) {
    throw_fd(env, errno, "close", fd);
    return NULL;
  }
  return undefined(env);
}

/* sockName(fd) -> {family:'IPv4'|'IPv6', address, port} | {family:'unix', path} */
napi_value tsv_sock_name(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int fd;
  if (arg_int(env, argv[0], "fd", &fd)) return NULL;
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  memset(&ss, 0, sizeof ss);
  if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
    throw_fd(env, errno, "getsockname", fd);
    return NULL;
  }
  napi_value obj;
  napi_create_object(env, &obj);
  char buf[INET6_ADDRSTRLEN];
  if (ss.ss_family == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
    set_str(env, obj, "family", "IPv4");
    set_str(env, obj, "address", buf);
    set_int(env, obj, "port", ntohs(a->sin_port));
  } else if (ss.ss_family == AF_INET6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
    set_str(env, obj, "family", "IPv6");
    set_str(env, obj, "address", buf);
    set_int(env, obj, "port", ntohs(a->sin6_port));
  } else if (ss.ss_family == AF_UNIX) {
    struct sockaddr_un *a = (struct sockaddr_un *)&ss;
    size_t n = len > offsetof(struct sockaddr_un, sun_path) ? len - offsetof(struct sockaddr_un, sun_path) : 0;
    char p[sizeof a->sun_path + 1];
    memcpy(p, a->sun_path, n);
    p[n] = 0;
    set_str(env, obj, "family", "unix");
    set_str(env, obj, "path", p);
  } else {
    set_str(env, obj, "family", "unknown");
  }
  return obj;
}

/* peerCred(fd) -> {pid, uid, gid} */
napi_value tsv_peer_cred(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int fd;
  if (arg_int(env, argv[0], "fd", &fd)) return NULL;
  struct ucred cred;
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
    throw_fd(env, errno, "getsockopt(SO_PEERCRED)", fd);
    return NULL;
  }
  napi_value obj;
  napi_create_object(env, &obj);
  set_int(env, obj, "pid", cred.pid);
  set_int(env, obj, "uid", cred.uid);
  set_int(env, obj, "gid", cred.gid);
  return obj;
}

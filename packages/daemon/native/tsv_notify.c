/*
 * The daemon's sd_notify socket: an abstract AF_UNIX datagram socket with SO_PASSCRED, read
 * with recvmsg so every datagram comes with its sender's pid and uid (SCM_CREDENTIALS, filled
 * in by the kernel: a sender cannot lie about them). Node has neither unix datagram sockets
 * nor recvmsg with ancillary data.
 *
 *   notifyOpen(name, onMessage)  binds "\0name"; onMessage(pid, uid, data) for each datagram,
 *                                data a Buffer (a copy) or null when it was longer than
 *                                NOTIFY_MAX bytes (truncated: dropped, never half-read)
 *   notifyClose(socket)
 *   notifyGoOnReady(socket, pid, fd) -> id
 *                                when a datagram from exactly `pid` says READY=1, one byte is
 *                                written to (a copy of) `fd` before onMessage is called: an
 *                                armed dependent's gate (process/armed-spawn.ts), let go with
 *                                no JS on the way. Only a datagram that JS's parse reads as
 *                                READY=1 too fires it: ASCII without NUL, the last READY= line
 *                                exactly READY=1.
 *   notifyGoCancel(socket, id) -> whether it had fired; forgets it (closing the copy if not)
 *   notifyGoDisable(socket, pid) the ones for `pid` that have not fired never will (the
 *                                probe stopped); they are kept, not fired, for their cancel
 *
 * Event-driven: a uv_poll_t on the fd (unref'd: it never keeps the daemon alive); each wake
 * reads at most BATCH datagrams, so a flood cannot starve the event loop (level-triggered, the
 * rest come at the next turn). Descriptors passed along (SCM_RIGHTS) are closed at once.
 */
#define _GNU_SOURCE
#include <node_api.h>

#include "tsv_napi.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#if __has_include(<uv.h>)
#include <uv.h>
#else
typedef struct uv_loop_s uv_loop_t;
typedef struct uv_handle_s uv_handle_t;
typedef struct uv_poll_s uv_poll_t;
typedef enum { UV_POLL = 8 } uv_handle_type;
enum { UV_READABLE = 1 };
typedef void (*uv_poll_cb)(uv_poll_t *handle, int status, int events);
typedef void (*uv_close_cb)(uv_handle_t *handle);
size_t uv_handle_size(uv_handle_type type);
int uv_poll_init(uv_loop_t *loop, uv_poll_t *handle, int fd);
int uv_poll_start(uv_poll_t *handle, int events, uv_poll_cb cb);
void uv_close(uv_handle_t *handle, uv_close_cb close_cb);
void uv_unref(uv_handle_t *handle);
void *uv_handle_get_data(const uv_handle_t *handle);
void uv_handle_set_data(uv_handle_t *handle, void *data);
#endif

#define NOTIFY_MAX 4096
#define BATCH 64

/* A gate to let go at a READY=1 from `pid` (fd: our copy, -1 once fired or disabled). */
typedef struct {
  int32_t id;
  pid_t pid;
  int fd;
  int fired;
} go_entry;

typedef struct {
  napi_env env;
  napi_ref on_message;
  go_entry *gos;
  int ngos, cap_gos;
  int32_t next_go;
  napi_async_context context;
  int fd;
  int closing;
  int finalized;
  int released;
  /* libuv's uv_poll_t follows, 16-byte aligned */
} notify_socket;

#define HEADER_SIZE ((sizeof(notify_socket) + 15) & ~(size_t)15)

static uv_poll_t *poll_of(notify_socket *n) {
  return (uv_poll_t *)((char *)n + HEADER_SIZE);
}

static void throw_errno(napi_env env, const char *what, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_throw_error(env, NULL, msg);
}

static void on_closed(uv_handle_t *h) {
  notify_socket *n = uv_handle_get_data(h);
  n->released = 1;
  if (n->finalized) free(n);
}

static void close_socket(notify_socket *n) {
  if (n->closing) return;
  n->closing = 1;
  if (n->on_message) napi_delete_reference(n->env, n->on_message);
  n->on_message = NULL;
  if (n->context) napi_async_destroy(n->env, n->context);
  n->context = NULL;
  uv_close((uv_handle_t *)poll_of(n), on_closed);
  close(n->fd);
  for (int i = 0; i < n->ngos; i++)
    if (n->gos[i].fd >= 0) close(n->gos[i].fd);
  free(n->gos);
  n->gos = NULL;
  n->ngos = n->cap_gos = 0;
}

/* What parseNotify (readiness/notify-message.ts) reads as READY=1, on the safe side: ASCII
 * without NUL (its text then has no U+FFFD), and the last line that assigns READY says 1. */
static int says_ready(const char *data, ssize_t len) {
  int ready = 0;
  for (ssize_t i = 0; i < len; i++)
    if (data[i] == 0 || (unsigned char)data[i] > 127) return 0;
  for (ssize_t at = 0; at < len;) {
    ssize_t end = at;
    while (end < len && data[end] != '\n') end++;
    if (end - at >= 6 && memcmp(data + at, "READY=", 6) == 0) ready = end - at == 7 && data[at + 6] == '1';
    at = end + 1;
  }
  return ready;
}

/* Lets go every gate waiting for a READY=1 from `pid`. */
static void fire_gos(notify_socket *n, pid_t pid) {
  for (int i = 0; i < n->ngos; i++) {
    go_entry *g = &n->gos[i];
    if (g->pid != pid || g->fired || g->fd < 0) continue;
    tsv_let_go(g->fd);
    g->fd = -1;
    g->fired = 1;
  }
}

static void finalize(napi_env env, void *data, void *hint) {
  notify_socket *n = data;
  n->finalized = 1;
  if (!n->closing) close_socket(n);
  else if (n->released) free(n);
}

static void deliver(notify_socket *n, pid_t pid, uid_t uid, const char *data, ssize_t len) {
  napi_env env = n->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value fn, recv, argv[3], result;
  napi_get_reference_value(env, n->on_message, &fn);
  napi_get_global(env, &recv);
  napi_create_int32(env, (int32_t)pid, &argv[0]);
  napi_create_int64(env, (int64_t)uid, &argv[1]);
  if (data) napi_create_buffer_copy(env, (size_t)len, data, NULL, &argv[2]);
  else napi_get_null(env, &argv[2]);
  if (napi_make_callback(env, n->context, recv, fn, 3, argv, &result) == napi_pending_exception) {
    napi_value err;
    napi_get_and_clear_last_exception(env, &err);
    napi_fatal_exception(env, err);
  }
  napi_close_handle_scope(env, scope);
}

static void on_readable(uv_poll_t *h, int status, int events) {
  notify_socket *n = uv_handle_get_data((uv_handle_t *)h);
  static char buf[NOTIFY_MAX];
  for (int i = 0; i < BATCH && !n->closing; i++) {
    union {
      struct cmsghdr align;
      char bytes[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 8)];
    } control;
    struct iovec iov = {buf, sizeof buf};
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.bytes;
    msg.msg_controllen = sizeof control.bytes;
    ssize_t len = recvmsg(n->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
    if (len < 0) {
      if (errno == EINTR) continue;
      return; /* EAGAIN: drained */
    }
    pid_t pid = 0;
    uid_t uid = (uid_t)-1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET) continue;
      if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
        struct ucred cred;
        memcpy(&cred, CMSG_DATA(c), sizeof cred);
        pid = cred.pid;
        uid = cred.uid;
      } else if (c->cmsg_type == SCM_RIGHTS) {
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t k = 0; k < count; k++) {
          int fd;
          memcpy(&fd, CMSG_DATA(c) + k * sizeof(int), sizeof fd);
          close(fd);
        }
      }
    }
    int truncated = (msg.msg_flags & MSG_TRUNC) || len > (ssize_t)sizeof buf;
    if (n->ngos > 0 && pid > 0 && !truncated && says_ready(buf, len)) fire_gos(n, pid);
    deliver(n, pid, uid, truncated ? NULL : buf, len);
  }
}

napi_value tsv_notify_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char name[108];
  size_t name_len = 0;
  napi_valuetype t;
  if (argc < 2 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &name_len) != napi_ok || name_len == 0 ||
      name_len >= sizeof name - 1 || napi_typeof(env, argv[1], &t) != napi_ok || t != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "notifyOpen(name, onMessage): a short name and a function");
    return NULL;
  }
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    throw_errno(env, "socket(AF_UNIX, SOCK_DGRAM)", errno);
    return NULL;
  }
  struct sockaddr_un sun;
  memset(&sun, 0, sizeof sun);
  sun.sun_family = AF_UNIX;
  memcpy(sun.sun_path + 1, name, name_len); /* abstract: sun_path[0] == 0 */
  int one = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0 ||
      bind(fd, (struct sockaddr *)&sun, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + name_len)) < 0) {
    int e = errno;
    close(fd);
    throw_errno(env, "bind notify socket", e);
    return NULL;
  }
  notify_socket *n = calloc(1, HEADER_SIZE + uv_handle_size(UV_POLL));
  if (!n) {
    close(fd);
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  n->env = env;
  n->fd = fd;
  napi_create_reference(env, argv[1], 1, &n->on_message);
  napi_value resource, rname;
  napi_create_object(env, &resource);
  napi_create_string_utf8(env, "tsv.Notify", NAPI_AUTO_LENGTH, &rname);
  napi_async_init(env, resource, rname, &n->context);
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  int err = uv_poll_init(loop, poll_of(n), fd);
  if (err) {
    napi_delete_reference(env, n->on_message);
    napi_async_destroy(env, n->context);
    close(fd);
    free(n);
    napi_throw_error(env, NULL, "uv_poll_init failed");
    return NULL;
  }
  uv_handle_set_data((uv_handle_t *)poll_of(n), n);
  uv_unref((uv_handle_t *)poll_of(n));
  err = uv_poll_start(poll_of(n), UV_READABLE, on_readable);
  napi_value external;
  if (napi_create_external(env, n, finalize, NULL, &external) != napi_ok) {
    n->finalized = 1;
    close_socket(n);
    return NULL;
  }
  return external;
}

napi_value tsv_notify_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  napi_get_cb_info(env, info, &argc, &arg, NULL, NULL);
  void *data = NULL;
  if (argc < 1 || napi_get_value_external(env, arg, &data) != napi_ok || !data) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a socket from notifyOpen");
    return NULL;
  }
  close_socket(data);
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

static notify_socket *socket_arg(napi_env env, napi_value v) {
  void *data = NULL;
  if (napi_get_value_external(env, v, &data) != napi_ok || !data) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a socket from notifyOpen");
    return NULL;
  }
  return data;
}

napi_value tsv_notify_go_on_ready(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  notify_socket *n = argc == 3 ? socket_arg(env, argv[0]) : NULL;
  if (!n) {
    if (argc != 3) napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "notifyGoOnReady(socket, pid, fd)");
    return NULL;
  }
  int32_t pid, fd;
  if (napi_get_value_int32(env, argv[1], &pid) != napi_ok || napi_get_value_int32(env, argv[2], &fd) != napi_ok || pid <= 0 || fd < 0) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "notifyGoOnReady(socket, pid, fd): a pid and an fd");
    return NULL;
  }
  if (n->closing) {
    napi_throw_error(env, NULL, "notify socket closed");
    return NULL;
  }
  if (n->ngos == n->cap_gos) {
    int cap = n->cap_gos ? n->cap_gos * 2 : 8;
    go_entry *more = realloc(n->gos, (size_t)cap * sizeof *more);
    if (!more) {
      napi_throw_error(env, NULL, "out of memory");
      return NULL;
    }
    n->gos = more;
    n->cap_gos = cap;
  }
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (copy < 0) {
    throw_errno(env, "fcntl(F_DUPFD_CLOEXEC)", errno);
    return NULL;
  }
  go_entry *g = &n->gos[n->ngos++];
  g->id = ++n->next_go;
  g->pid = pid;
  g->fd = copy;
  g->fired = 0;
  napi_value id;
  napi_create_int32(env, g->id, &id);
  return id;
}

/* The (socket, int32) arguments of notifyGoCancel and notifyGoDisable; NULL after a throw. */
static notify_socket *socket_and_int(napi_env env, napi_callback_info info, const char *usage, int32_t *out) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 2) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", usage);
    return NULL;
  }
  notify_socket *n = socket_arg(env, argv[0]);
  if (n && napi_get_value_int32(env, argv[1], out) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", usage);
    return NULL;
  }
  return n;
}

napi_value tsv_notify_go_cancel(napi_env env, napi_callback_info info) {
  int32_t id = 0;
  notify_socket *n = socket_and_int(env, info, "notifyGoCancel(socket, id)", &id);
  if (!n) return NULL;
  int fired = 0;
  for (int i = 0; i < n->ngos; i++) {
    if (n->gos[i].id != id) continue;
    fired = n->gos[i].fired;
    if (n->gos[i].fd >= 0) close(n->gos[i].fd);
    n->gos[i] = n->gos[--n->ngos];
    break;
  }
  napi_value r;
  napi_get_boolean(env, fired, &r);
  return r;
}

napi_value tsv_notify_go_disable(napi_env env, napi_callback_info info) {
  int32_t pid = 0;
  notify_socket *n = socket_and_int(env, info, "notifyGoDisable(socket, pid)", &pid);
  if (!n) return NULL;
  for (int i = 0; i < n->ngos; i++) {
    go_entry *g = &n->gos[i];
    if (g->pid != pid || g->fired || g->fd < 0) continue;
    close(g->fd);
    g->fd = -1;
  }
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

/*
 * The accept queue of a listening socket, for the daemon's /metrics (src/metrics/): how many
 * connections wait to be accepted and the backlog they wait in.
 *
 * - TCP (IPv4/IPv6): getsockopt TCP_INFO; on a listening socket the kernel reports the accept
 *   queue's length in tcpi_unacked and its backlog in tcpi_sacked (what php-fpm's status page reads).
 * - Unix stream: one sock_diag netlink request for the socket's inode with UDIAG_SHOW_RQLEN; on a
 *   listening socket udiag_rqueue is the queue's length and udiag_wqueue its backlog
 *   (php-fpm reports 0 there).
 *
 * listenQueue(fd) → { queued, backlog }, or null when the fd is neither (or the kernel will not
 * say). procUnits() → { clockTicks, pageSize }: the units of /proc/<pid>/stat.
 */
#define _GNU_SOURCE
#include <node_api.h>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

static napi_value queue_result(napi_env env, unsigned queued, unsigned backlog) {
  napi_value obj, q, b;
  napi_create_object(env, &obj);
  napi_create_uint32(env, queued, &q);
  napi_create_uint32(env, backlog, &b);
  napi_set_named_property(env, obj, "queued", q);
  napi_set_named_property(env, obj, "backlog", b);
  return obj;
}

/* sock_diag of one unix socket by inode: 0 and the two lengths, or -1. */
static int unix_queue(ino_t ino, unsigned *queued, unsigned *backlog) {
  int nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (nl < 0) return -1;
  struct {
    struct nlmsghdr nlh;
    struct unix_diag_req req;
  } msg;
  memset(&msg, 0, sizeof msg);
  msg.nlh.nlmsg_len = sizeof msg;
  msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  msg.nlh.nlmsg_flags = NLM_F_REQUEST;
  msg.req.sdiag_family = AF_UNIX;
  msg.req.udiag_states = ~0U;
  msg.req.udiag_ino = (__u32)ino;
  msg.req.udiag_show = UDIAG_SHOW_RQLEN;
  msg.req.udiag_cookie[0] = INET_DIAG_NOCOOKIE;
  msg.req.udiag_cookie[1] = INET_DIAG_NOCOOKIE;
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  int found = -1;
  if (sendto(nl, &msg, sizeof msg, 0, (struct sockaddr *)&kernel, sizeof kernel) == (ssize_t)sizeof msg) {
    long buf[1024];
    ssize_t n = recv(nl, buf, sizeof buf, 0);
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    for (; n > 0 && NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY) break; /* NLMSG_ERROR, NLMSG_DONE */
      struct unix_diag_msg *d = NLMSG_DATA(h);
      int len = h->nlmsg_len - NLMSG_LENGTH(sizeof *d);
      for (struct rtattr *a = (struct rtattr *)(d + 1); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        if (a->rta_type != UNIX_DIAG_RQLEN) continue;
        struct unix_diag_rqlen *r = RTA_DATA(a);
        *queued = r->udiag_rqueue;
        *backlog = r->udiag_wqueue;
        found = 0;
      }
    }
  }
  close(nl);
  return found;
}

napi_value tsv_listen_queue(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd = -1;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "fd must be a number");
    return NULL;
  }
  napi_value none;
  napi_get_null(env, &none);
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) return none;
  if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6) {
    struct tcp_info ti;
    socklen_t tlen = sizeof ti;
    memset(&ti, 0, sizeof ti);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tlen) < 0 || ti.tcpi_state != TCP_LISTEN) return none;
    return queue_result(env, ti.tcpi_unacked, ti.tcpi_sacked);
  }
  if (ss.ss_family == AF_UNIX) {
    struct stat st;
    unsigned queued = 0, backlog = 0;
    if (fstat(fd, &st) < 0 || unix_queue(st.st_ino, &queued, &backlog) < 0) return none;
    return queue_result(env, queued, backlog);
  }
  return none;
}

napi_value tsv_proc_units(napi_env env, napi_callback_info info) {
  napi_value obj, ticks, page;
  napi_create_object(env, &obj);
  napi_create_int64(env, sysconf(_SC_CLK_TCK), &ticks);
  napi_create_int64(env, sysconf(_SC_PAGESIZE), &page);
  napi_set_named_property(env, obj, "clockTicks", ticks);
  napi_set_named_property(env, obj, "pageSize", page);
  return obj;
}

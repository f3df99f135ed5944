/*
 * `tsv-exec --pump SECONDS [LIMIT PATH]...`: moves children's output from their pipes into
 * their log files while the daemon re-executes itself (reexec), so that a program's output
 * keeps reaching its log during the ~100 ms the new image takes to start (node's start, the
 * bundle, the configuration) instead of waiting in the pipe.
 *
 * The pipes are this process's fds 3, 4, … in the order of the LIMIT PATH pairs. Each pipe's
 * bytes go into PATH (opened without O_APPEND, which splice refuses; written at the file's end
 * as fstat finds it, as the daemon's own splice does) with splice(2), at most LIMIT bytes
 * (0: no limit: LIMIT is what the log may take before it must rotate, which only the daemon
 * does). It stops at SIGTERM (the new image sends it before it reads any pipe, then waits for
 * this process to exit), or after SECONDS in any case (a new image that never came). A splice
 * interrupted by the signal has moved what it reports and no more: every byte is either in the
 * file or still in the pipe for the daemon, never both.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tsv_pump.h"

#define MAX_CHANNELS 4096
#define SPLICE_MAX (4 << 20)

static volatile sig_atomic_t stopping = 0;

static void on_stop(int sig) {
  (void)sig;
  stopping = 1;
}

struct channel {
  int pipe;
  int file;
  long long left; /* -1: no limit */
};

/* Moves what the pipe holds into the file; 0 when the channel is done (end, limit, error). */
static int pump(struct channel *c) {
  struct stat st;
  if (fstat(c->file, &st) != 0) return 0;
  loff_t off = st.st_size;
  while (!stopping) {
    size_t want = SPLICE_MAX;
    if (c->left >= 0) {
      if (c->left == 0) return 0;
      if ((long long)want > c->left) want = (size_t)c->left;
    }
    ssize_t n = splice(c->pipe, NULL, c->file, &off, want, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (n > 0) {
      if (c->left >= 0) c->left -= n;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 1;
    return 0; /* the end of the pipe (the daemon sees it too), or the file refused */
  }
  return 1;
}

int tsv_pump_main(int argc, char **argv) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop; /* no SA_RESTART: a splice or epoll_wait in progress returns */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGALRM, &sa, NULL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGALRM);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
  if (argc < 1) return 2;
  alarm((unsigned)atoi(argv[0]));
  int n = (argc - 1) / 2;
  if (n > MAX_CHANNELS) n = MAX_CHANNELS;
  static struct channel ch[MAX_CHANNELS];
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) return 1;
  int open_channels = 0;
  for (int i = 0; i < n; i++) {
    ch[i].pipe = 3 + i;
    ch[i].left = atoll(argv[1 + 2 * i]);
    if (ch[i].left <= 0) ch[i].left = -1;
    ch[i].file = open(argv[2 + 2 * i], O_WRONLY | O_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    if (ch[i].file < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, ch[i].pipe, &ev) != 0) continue;
    open_channels++;
  }
  struct epoll_event evs[64];
  while (!stopping && open_channels > 0) {
    int k = epoll_wait(ep, evs, 64, -1);
    for (int j = 0; j < k && !stopping; j++) {
      struct channel *c = &ch[evs[j].data.u32];
      if (!pump(c)) {
        epoll_ctl(ep, EPOLL_CTL_DEL, c->pipe, NULL);
        open_channels--;
      }
    }
  }
  /* every channel done before the signal: wait for it, so that the daemon's wait is the same */
  while (!stopping) pause();
  return 0;
}

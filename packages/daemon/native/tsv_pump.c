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
 * this process to exit), or after SECONDS in any case (a new image that never came). The stop
 * is taken between two splices (signals are let in only while it waits): every byte is either
 * in the file or still in the pipe for the daemon, never both.
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

/* One splice of what the pipe holds into the file's end; 0 when the channel is done (its end,
 * its limit, an error). One per wake-up, so that a stop is seen between any two. */
static int pump(struct channel *c) {
  if (c->left == 0) return 0;
  struct stat st;
  if (fstat(c->file, &st) != 0) return 0;
  loff_t off = st.st_size;
  size_t want = SPLICE_MAX;
  if (c->left > 0 && (long long)want > c->left) want = (size_t)c->left;
  ssize_t n = splice(c->pipe, NULL, c->file, &off, want, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
  if (n > 0) {
    if (c->left > 0) c->left -= n;
    return c->left != 0;
  }
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 1;
  return 0; /* the end of the pipe (the daemon sees it too), or the file refused */
}

int tsv_pump_main(int argc, char **argv) {
  /* SIGTERM and SIGALRM are blocked except inside epoll_pwait and sigsuspend, so a stop can
   * never slip in between a check of `stopping` and the wait that would then last for ever */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGALRM, &sa, NULL);
  sigset_t stops, waiting;
  sigemptyset(&stops);
  sigaddset(&stops, SIGTERM);
  sigaddset(&stops, SIGALRM);
  sigprocmask(SIG_BLOCK, &stops, &waiting);
  sigdelset(&waiting, SIGTERM);
  sigdelset(&waiting, SIGALRM);
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
    int k = epoll_pwait(ep, evs, 64, -1, &waiting);
    for (int j = 0; j < k; j++) {
      struct channel *c = &ch[evs[j].data.u32];
      if (!pump(c)) {
        epoll_ctl(ep, EPOLL_CTL_DEL, c->pipe, NULL);
        open_channels--;
      }
    }
  }
  /* every channel done before the stop: wait for it, so that the daemon's wait is the same */
  while (!stopping) sigsuspend(&waiting);
  return 0;
}

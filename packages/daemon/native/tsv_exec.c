/*
 * tsv-exec: what supervisor does in its child between fork and exec, for a daemon written in
 * Node (whose child_process.spawn cannot run code between fork and exec).
 *
 *   tsv-exec [options] -- FILE ARGV0 [ARGS...]
 *
 *   --setpgid               own process group (setpgid(0, 0)), like supervisor's setpgrp()
 *   --socket-fd N           the listening socket arrives on fd N (pass it as stdio[N], N >= 3)
 *   --socket-to M           ... and is moved onto fd M (default 0, supervisor's fcgi-program)
 *   --listen-fds N          the socket arrives on fd N and ends on fd 3, with LISTEN_FDS=1,
 *                           LISTEN_PID=<own pid> (systemd style)
 *   --fdname NAME           ... and LISTEN_FDNAMES=NAME
 *   --close-fds             close every other fd >= 3 (supervisor closes 3..minfds)
 *   --user NAME|UID         initgroups + setgid + setuid (HOME/USER are left alone, like supervisor)
 *   --dir PATH              chdir
 *   --umask OCTAL           umask
 *   --rlimit RES=SOFT[:HARD] setrlimit (RES: nofile, nproc, core; 'unlimited' or a number)
 *   --pdeathsig SIG         prctl(PR_SET_PDEATHSIG); exits at once if the parent already died
 *
 * Then signal dispositions and mask are reset to default and execv(FILE, [ARGV0, ARGS...]) runs.
 * Failures are written to stderr with supervisor's wording and the shim exits 127:
 *   supervisor: couldn't exec ARGV0: ENOENT
 *   supervisor: child process was not spawned
 *
 * The socket's file status flags (O_NONBLOCK) are never touched: they are shared with every
 * sibling holding the same socket. Only the fd flag FD_CLOEXEC of the new slot is cleared.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "tsv_errname.h"

#include "tsv_pump.h"

static const char *errno_name(int err) {
  static char buf[32];
  return tsv_errno_name(err, buf);
}

/* Writes the whole message to fd 2 (no stdio buffering between fork and exec). */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
  char buf[4096];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n >= sizeof buf) n = sizeof buf - 1;
  const char *p = buf;
  while (n > 0) {
    ssize_t w = write(2, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return;
    }
    p += w;
    n -= w;
  }
}

static void fail(void) {
  say("supervisor: child process was not spawned\n");
  _exit(127);
}

static void usage(const char *msg) {
  say("tsv-exec: %s\nusage: tsv-exec [--setpgid] [--user NAME] [--umask OCTAL] [--dir PATH] "
      "[--pdeathsig SIG] [--socket-fd N [--socket-to M] | --listen-fds N [--fdname NAME]] "
      "[--close-fds] [--rlimit RES=SOFT[:HARD]] -- FILE ARGV0 [ARGS...]\n", msg);
  _exit(127);
}

static int parse_int(const char *s, int base, long *out) {
  if (!s || !*s) return -1;
  char *end;
  errno = 0;
  long v = strtol(s, &end, base);
  if (errno || *end) return -1;
  *out = v;
  return 0;
}

static int parse_signal(const char *s) {
  long n;
  if (parse_int(s, 10, &n) == 0) return (n > 0 && n < NSIG) ? (int)n : -1;
  if (strncasecmp(s, "SIG", 3) == 0) s += 3;
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  for (int i = 1; i < NSIG; i++) {
    const char *a = sigabbrev_np(i);
    if (a && strcasecmp(a, s) == 0) return i;
  }
#else
  static const struct { const char *n; int s; } t[] = {
    {"HUP", SIGHUP}, {"INT", SIGINT}, {"QUIT", SIGQUIT}, {"KILL", SIGKILL}, {"USR1", SIGUSR1},
    {"USR2", SIGUSR2}, {"TERM", SIGTERM}, {"ALRM", SIGALRM},
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    if (strcasecmp(t[i].n, s) == 0) return t[i].s;
#endif
  return -1;
}

static int parse_rlim(const char *s, rlim_t *out) {
  if (strcmp(s, "unlimited") == 0 || strcmp(s, "infinity") == 0) {
    *out = RLIM_INFINITY;
    return 0;
  }
  if (!*s) return -1;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || *s == '-') return -1;
  *out = (rlim_t)v;
  return 0;
}

#define MAX_RLIMITS 8

/* Moves fd `from` onto `to` without touching the file status flags; clears FD_CLOEXEC. */
static void move_fd(int from, int to) {
  if (from == to) {
    int fl = fcntl(to, F_GETFD);
    if (fl < 0) {
      say("supervisor: couldn't use socket fd %d: %s\n", from, errno_name(errno));
      fail();
    }
    if ((fl & FD_CLOEXEC) && fcntl(to, F_SETFD, fl & ~FD_CLOEXEC) < 0) {
      say("supervisor: couldn't use socket fd %d: %s\n", from, errno_name(errno));
      fail();
    }
    return;
  }
  if (dup2(from, to) < 0) {
    say("supervisor: couldn't move socket fd %d to %d: %s\n", from, to, errno_name(errno));
    fail();
  }
  close(from);
}

static void close_below(int lowfd, int keep) {
  if (keep > lowfd && syscall(SYS_close_range, (unsigned)lowfd, (unsigned)(keep - 1), 0) < 0) {
    for (int fd = lowfd; fd < keep; fd++) close(fd);
  }
}

/* Closes every fd >= lowfd but the (up to two) kept ones (-1: none). */
static void close_fds_from(int lowfd, int keep, int keep2) {
  /* close_range(2) (Linux 5.9); falls back to a loop over /proc/self/fd-sized range. */
  if (keep2 >= 0 && (keep < 0 || keep2 < keep)) {
    int t = keep;
    keep = keep2;
    keep2 = t;
  }
  int keeps[2] = {keep, keep2};
  for (int k = 0; k < 2; k++) {
    if (keeps[k] >= lowfd) {
      close_below(lowfd, keeps[k]);
      lowfd = keeps[k] + 1;
    }
  }
  if (syscall(SYS_close_range, (unsigned)lowfd, ~0U, 0) < 0) {
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536) max = 65536;
    for (int fd = lowfd; fd < max; fd++) close(fd);
  }
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--pump") == 0) return tsv_pump_main(argc - 2, argv + 2);
  int setpgid_flag = 0, close_fds = 0;
  const char *user = NULL, *dir = NULL, *fdname = NULL;
  long umask_v = -1, socket_fd = -1, socket_to = 0, listen_fds = -1, ready_from = -1, ready_to = -1;
  int pdeathsig = 0;
  struct { int res; rlim_t soft, hard; int has_hard; const char *spec; } rl[MAX_RLIMITS];
  int nrl = 0;

  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    } else if (strcmp(a, "--setpgid") == 0) {
      setpgid_flag = 1;
    } else if (strcmp(a, "--close-fds") == 0) {
      close_fds = 1;
    } else if (strcmp(a, "--user") == 0) {
      if (!v || !*v) usage("--user needs a name or uid");
      user = v, i++;
    } else if (strcmp(a, "--dir") == 0) {
      if (!v || !*v) usage("--dir needs a path");
      dir = v, i++;
    } else if (strcmp(a, "--umask") == 0) {
      if (parse_int(v, 8, &umask_v) || umask_v < 0 || umask_v > 0777) usage("--umask needs an octal mask");
      i++;
    } else if (strcmp(a, "--pdeathsig") == 0) {
      if (!v || (pdeathsig = parse_signal(v)) < 0) usage("--pdeathsig needs a signal name or number");
      i++;
    } else if (strcmp(a, "--socket-fd") == 0) {
      if (parse_int(v, 10, &socket_fd) || socket_fd < 0) usage("--socket-fd needs an fd number");
      i++;
    } else if (strcmp(a, "--socket-to") == 0) {
      if (parse_int(v, 10, &socket_to) || socket_to < 0) usage("--socket-to needs an fd number");
      i++;
    } else if (strcmp(a, "--listen-fds") == 0) {
      if (parse_int(v, 10, &listen_fds) || listen_fds < 0) usage("--listen-fds needs an fd number");
      i++;
    } else if (strcmp(a, "--ready-fd") == 0) {
      /* tsupervisor's ready=fd:N: the notification pipe arrives on FROM and ends on TO */
      char *colon = v ? strchr(v, ':') : NULL;
      char from_s[16];
      if (!colon || colon - v >= (long)sizeof from_s) usage("--ready-fd needs FROM:TO");
      memcpy(from_s, v, (size_t)(colon - v));
      from_s[colon - v] = 0;
      if (parse_int(from_s, 10, &ready_from) || parse_int(colon + 1, 10, &ready_to) || ready_from < 3 || ready_to < 3)
        usage("--ready-fd needs FROM:TO, both >= 3");
      i++;
    } else if (strcmp(a, "--fdname") == 0) {
      if (!v) usage("--fdname needs a name");
      fdname = v, i++;
    } else if (strcmp(a, "--rlimit") == 0) {
      if (!v || nrl >= MAX_RLIMITS) usage("--rlimit needs RES=SOFT[:HARD]");
      char buf[128];
      snprintf(buf, sizeof buf, "%s", v);
      char *eq = strchr(buf, '=');
      if (!eq) usage("--rlimit needs RES=SOFT[:HARD]");
      *eq = 0;
      char *soft = eq + 1, *hard = strchr(soft, ':');
      if (hard) *hard++ = 0;
      int res;
      if (strcmp(buf, "nofile") == 0) res = RLIMIT_NOFILE;
      else if (strcmp(buf, "nproc") == 0) res = RLIMIT_NPROC;
      else if (strcmp(buf, "core") == 0) res = RLIMIT_CORE;
      else usage("--rlimit: resource must be nofile, nproc or core");
      rl[nrl].res = res;
      rl[nrl].spec = v;
      rl[nrl].has_hard = hard != NULL;
      if (parse_rlim(soft, &rl[nrl].soft) || (hard && parse_rlim(hard, &rl[nrl].hard)))
        usage("--rlimit: bad limit");
      nrl++;
      i++;
    } else {
      usage("unknown option");
    }
  }
  if (argc - i < 2) usage("missing FILE ARGV0");
  if (socket_fd >= 0 && listen_fds >= 0) usage("--socket-fd and --listen-fds exclude each other");
  const char *file = argv[i];
  char **child_argv = &argv[i + 1];

  /* Recorded first: if the parent dies before PR_SET_PDEATHSIG is armed, getppid() changes. */
  pid_t parent = getppid();

  /* 1. process group (supervisor: options.setpgrp()) */
  if (setpgid_flag && setpgid(0, 0) < 0) {
    say("supervisor: couldn't setpgid: %s\n", errno_name(errno));
    fail();
  }

  /* 2. fds (supervisor: _prepare_child_fds). dup2 shares the open file description: the
   *    socket's O_NONBLOCK stays exactly as it was for every sibling. */
  int keep_fd = -1;
  if (socket_fd >= 0) {
    move_fd((int)socket_fd, (int)socket_to);
    keep_fd = (int)socket_to;
  } else if (listen_fds >= 0) {
    move_fd((int)listen_fds, 3);
    keep_fd = 3;
  }
  if (ready_from >= 0) {
    if (ready_to == keep_fd) {
      say("supervisor: ready=fd:%ld: fd %ld is taken by the listening socket\n", ready_to, ready_to);
      fail();
    }
    move_fd((int)ready_from, (int)ready_to);
  }
  if (close_fds) close_fds_from(3, keep_fd, (int)ready_to);

  /* 3. limits, while still privileged (raising a hard limit needs root) */
  for (int k = 0; k < nrl; k++) {
    struct rlimit cur, want;
    if (getrlimit(rl[k].res, &cur) < 0) cur.rlim_max = RLIM_INFINITY;
    want.rlim_cur = rl[k].soft;
    want.rlim_max = rl[k].has_hard ? rl[k].hard : (cur.rlim_max == RLIM_INFINITY || cur.rlim_max >= rl[k].soft ? cur.rlim_max : rl[k].soft);
    if (setrlimit(rl[k].res, &want) < 0) {
      say("supervisor: couldn't set rlimit %s: %s\n", rl[k].spec, errno_name(errno));
      fail();
    }
  }

  /* 4. user (supervisor: drop_privileges) */
  if (user) {
    struct passwd *pw;
    long n;
    errno = 0;
    if (parse_int(user, 10, &n) == 0) {
      pw = getpwuid((uid_t)n);
      if (!pw) {
        say("supervisor: couldn't setuid to %s: Can't find uid %s\n", user, user);
        fail();
      }
    } else {
      pw = getpwnam(user);
      if (!pw) {
        say("supervisor: couldn't setuid to %s: Can't find username '%s'\n", user, user);
        fail();
      }
    }
    /* copy before initgroups() runs NSS lookups that may reuse static buffers */
    char name[256];
    snprintf(name, sizeof name, "%s", pw->pw_name);
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    if (getuid() != uid) {
      if (getuid() != 0) {
        say("supervisor: couldn't setuid to %s: Can't drop privilege as nonroot user\n", user);
        fail();
      }
      if (initgroups(name, gid) < 0) {
        say("supervisor: couldn't setuid to %s: Could not set groups of effective user (%s)\n", user,
            errno_name(errno));
        fail();
      }
      if (setgid(gid) < 0) {
        say("supervisor: couldn't setuid to %s: Could not set group id of effective user (%s)\n", user,
            errno_name(errno));
        fail();
      }
      if (setuid(uid) < 0) {
        say("supervisor: couldn't setuid to %s: %s\n", user, errno_name(errno));
        fail();
      }
    }
  }

  /* 5. parent-death signal: after setuid, because a credential change clears it */
  if (pdeathsig) {
    if (prctl(PR_SET_PDEATHSIG, pdeathsig, 0, 0, 0) < 0) {
      say("supervisor: couldn't set parent death signal: %s\n", errno_name(errno));
      fail();
    }
    if (getppid() != parent) _exit(127); /* the parent is already gone */
  }

  /* 6. systemd-style socket passing: LISTEN_PID is our own pid, which exec keeps */
  if (listen_fds >= 0) {
    char pidbuf[24];
    snprintf(pidbuf, sizeof pidbuf, "%ld", (long)getpid());
    if (setenv("LISTEN_FDS", "1", 1) < 0 || setenv("LISTEN_PID", pidbuf, 1) < 0 ||
        (fdname ? setenv("LISTEN_FDNAMES", fdname, 1) : unsetenv("LISTEN_FDNAMES")) < 0) {
      say("supervisor: couldn't set LISTEN_FDS: %s\n", errno_name(errno));
      fail();
    }
  }

  /* 7. directory (supervisor: "couldn't chdir to %s: %s") */
  if (dir && chdir(dir) < 0) {
    say("supervisor: couldn't chdir to %s: %s\n", dir, errno_name(errno));
    fail();
  }

  /* 8. umask */
  if (umask_v >= 0) umask((mode_t)umask_v);

  /* 9. default signal dispositions and an empty mask: the daemon ignores SIGPIPE, children must not */
  for (int s = 1; s < NSIG; s++) {
    if (s == SIGKILL || s == SIGSTOP) continue;
    signal(s, SIG_DFL); /* fails harmlessly for the glibc-reserved RT signals */
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);

  /* 10. exec (supervisor: "couldn't exec %s: %s" % (argv[0], errno name)) */
  execv(file, child_argv);
  say("supervisor: couldn't exec %s: %s\n", child_argv[0], errno_name(errno));
  fail();
  return 127;
}

/*
 * The spawn of tsv_spawn.c on x86-64 and arm64: a clone(CLONE_VM) of the exec shim that does not
 * fork the daemon, does not wait for the exec and does not copy the daemon's fd table.
 *
 * The child borrows the daemon's memory until its exec, on a stack of its own, so nothing is
 * copied and the daemon goes on at once (glibc's posix_spawn, with CLONE_VFORK, would wait for
 * the child to be scheduled and exec: 4 ms a spawn at a load of 10 on 2 cores). The child makes
 * raw system calls only (it shares the daemon's thread pointer, so glibc would write errno into
 * the daemon's thread), from a block that the daemon unmaps once the kernel has cleared its tid
 * (CLONE_CHILD_CLEARTID: at the exec). It only resets signals, takes its own fd table and
 * places its stdio: everything else is the shim's job (tsv_exec.c). Except for a direct spawn
 * (tsv_direct.h): a program that needs only setpgid, close-fds, the parent-death signal, chdir
 * and umask gets them from the child itself, which then execs the command (no shim: 1 ms less
 * from spawn to main()) and, if that fails, writes the shim's texts and exits 127 as it would;
 * an armed direct spawn (tsv_direct.h `gate`) waits for the daemon's go just before that exec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tsv_direct.h"
#include "tsv_errname.h"

#if defined(__x86_64__) || defined(__aarch64__)

#define MAX_STDIO 16

/* The child shares the daemon's memory and, until its exec, its thread pointer: glibc's wrappers
 * would write errno into the daemon's thread. So the child makes raw system calls only. */
static long raw_syscall(long n, long a, long b, long c, long d) {
#if defined(__x86_64__)
  long ret;
  register long r10 __asm__("r10") = d;
  __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
  return ret;
#else
  register long x8 __asm__("x8") = n;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
  return x0;
#endif
}

#define STACK_SIZE (64 * 1024)

/* One spawn's memory: what the child reads (never written by the daemon while it runs), its
 * stack, and `tid`, which the kernel clears when the child has exec'd or exited
 * (CLONE_CHILD_CLEARTID): then the block is unmapped. */
struct spawn_block {
  volatile pid_t tid;
  /* Set by the child once its fd table is its own (shared-table spawns). */
  volatile int unshared;
  /* The ring entry whose fds carry its stdio (-1: none, the table was copied at the clone). */
  int ring;
  /* close_range(keep_below, ~0, CLOSE_RANGE_UNSHARE): what of the daemon's table it copies. */
  int keep_below;
  struct spawn_block *next;
  size_t size;
  int n;
  int fds[MAX_STDIO];
  char *file;
  char **argv;
  char **envp;
  /* A direct spawn (the command, not the shim), or NULL; `direct.dir` points into the block. */
  struct tsv_direct *direct;
  struct tsv_direct direct_steps;
  /* The fd limit, for closing fds one by one if close_range(2) is missing. */
  long max_fd;
};

static struct spawn_block *pending;
/* Blocks on that list, and how many the last walk left there. A spawn walks it only once it has
 * grown by as many again (a settle or a reap always does): children held before their exec
 * (process/exec-batch.ts) keep their blocks, and a walk of thousands at every spawn (a cache
 * miss each) made the 5,000th spawn cost twice the first. */
static size_t pending_count, pending_after_walk;

/*
 * The fd table. A clone without CLONE_FILES copies the daemon's whole table, and the exec then
 * closes every close-on-exec fd of the copy: with 5,000 programs (15,000 pipe ends) that is
 * most of a spawn, and it grows with the programs. So the child shares the daemon's table
 * (CLONE_FILES) and makes it its own with close_range(K, ~0, CLOSE_RANGE_UNSHARE), which
 * copies only the fds below K. Its stdio must be there: RING sets of RING_SLOTS low fds
 * (copies of /dev/null, reserved at the first spawn, while the daemon's fds are still few, and
 * kept: reserved later they would be as high as the programs' pipes, and K with them) are
 * where the daemon dup3s a spawn's stdio before the clone; a set
 * is given back (its fds pointed at /dev/null again, so that no pipe end stays open here) once
 * its child says it has unshared. With every set in use, more stdio slots than a set has, or
 * an fd limit below RING_MIN_NOFILE (a table that small is cheap to copy, and its fds are
 * counted), the spawn copies the table as before.
 */
#define RING 16
#define RING_SLOTS 6
/* Below this fd limit the table is small enough to copy, and no fd is to spare for a ring. */
#define RING_MIN_NOFILE 8192
static int ring_fd[RING][RING_SLOTS];
static struct spawn_block *ring_user[RING];
static int ring_state; /* 0: not reserved; 1: reserved */
static int ring_top;   /* K: one above the highest reserved fd */
static int dev_null = -1;
/* TSV_SPAWN_COPY_FDS=1: every spawn copies the table (the way before the ring, for comparison). */
static int shared_table = -1;

static void ring_close(int sets, int slots_of_last) {
  for (int q = 0; q < sets; q++)
    for (int j = 0; j < (q < sets - 1 ? RING_SLOTS : slots_of_last); j++) close(ring_fd[q][j]);
  ring_state = 0;
  ring_top = 0;
}

/* Reserves the ring at the first spawn, while the daemon's fds are few and low, for good. */
static void ring_reserve(void) {
  if (shared_table < 0) {
    const char *copy = getenv("TSV_SPAWN_COPY_FDS");
    shared_table = !(copy && strcmp(copy, "1") == 0);
  }
  if (ring_state != 0 || !shared_table) return;
  struct rlimit lim;
  if (getrlimit(RLIMIT_NOFILE, &lim) < 0 || lim.rlim_cur < RING_MIN_NOFILE) return;
  if (dev_null < 0 && (dev_null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) return;
  for (int r = 0; r < RING; r++)
    for (int i = 0; i < RING_SLOTS; i++) {
      /* above the slots, so that no dup3 onto slot i clobbers another slot's source */
      int fd = fcntl(dev_null, F_DUPFD_CLOEXEC, RING_SLOTS);
      if (fd < 0) {
        ring_close(r + 1, i);
        return;
      }
      ring_fd[r][i] = fd;
      if (fd >= ring_top) ring_top = fd + 1;
    }
  ring_state = 1;
}

/* Gives back the sets whose children have unshared (or died); returns how many are still out. */
static int ring_release(void) {
  int out = 0;
  for (int r = 0; r < RING; r++) {
    struct spawn_block *b = ring_user[r];
    if (!b) continue;
    if (!__atomic_load_n(&b->unshared, __ATOMIC_ACQUIRE) && __atomic_load_n(&b->tid, __ATOMIC_ACQUIRE) != 0) {
      out++;
      continue;
    }
    for (int i = 0; i < b->n; i++) dup3(dev_null, ring_fd[r][i], O_CLOEXEC);
    ring_user[r] = NULL;
  }
  return out;
}

static int ring_take(void) {
  if (ring_state != 1) return -1;
  for (int r = 0; r < RING; r++)
    if (!ring_user[r]) return r;
  return -1;
}

/* Unmaps the blocks of children that have exec'd (or died), after giving back their ring sets;
 * `full` 0 (a spawn): only when the list has doubled since the last walk. */
int tsv_spawn_sweep(int full) {
  int out = ring_release();
  if (!full && pending_count < 2 * pending_after_walk + 32) return out;
  struct spawn_block **link = &pending;
  while (*link) {
    struct spawn_block *b = *link;
    /* (a block whose ring set is still out stays: its child may exec between the two loops) */
    int in_ring = b->ring >= 0 && ring_user[b->ring] == b;
    if (!in_ring && __atomic_load_n(&b->tid, __ATOMIC_ACQUIRE) == 0) {
      *link = b->next;
      munmap(b, b->size);
      pending_count--;
    } else {
      link = &b->next;
    }
  }
  pending_after_walk = pending_count;
  return out;
}

/* After a full sweep: the spawns whose children have not exec'd (or exited) yet. */
size_t tsv_spawn_unexeced(void) {
  tsv_spawn_sweep(1);
  return pending_count;
}

static const char exec_failed[] = "supervisor: couldn't exec the exec shim (tsv-exec)\nsupervisor: child process was not spawned\n";

/* errno names for the child, which cannot call into glibc: filled before the first direct spawn. */
#define ERRNAMES 160
static char errnames[ERRNAMES][32];
static int errnames_ready;

static void errnames_fill(void) {
  if (errnames_ready) return;
  for (int e = 1; e < ERRNAMES; e++) {
    char buf[32];
    const char *n = tsv_errno_name(e, buf);
    snprintf(errnames[e], sizeof errnames[e], "%s", n);
  }
  errnames_ready = 1;
}

/* Appends `s` at *at (not past end): no glibc in the child. */
static void child_put(char **at, char *end, const char *s) {
  while (*s && *at < end) *(*at)++ = *s++;
}

/* The shim's failure (tsv_exec.c fail()): "supervisor: WHAT ARG: ENAME\n", then
 * "supervisor: child process was not spawned\n", as two writes to fd 2; exit 127. */
static void child_fail(const char *what, const char *arg, long err) {
  char line[4096];
  char *at = line, *end = line + sizeof line - 1;
  char num[24];
  const char *name = num;
  if (err > 0 && err < ERRNAMES) {
    name = errnames[err];
  } else {
    char *p = num + sizeof num - 1;
    unsigned long v = err < 0 ? (unsigned long)-err : (unsigned long)err;
    *p = 0;
    do *--p = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    if (err < 0) *--p = '-';
    name = p;
  }
  child_put(&at, end, "supervisor: ");
  child_put(&at, end, what);
  if (arg) child_put(&at, end, arg);
  child_put(&at, end, ": ");
  child_put(&at, end, name);
  child_put(&at, end, "\n");
  raw_syscall(SYS_write, 2, (long)line, at - line, 0);
  static const char not_spawned[] = "supervisor: child process was not spawned\n";
  raw_syscall(SYS_write, 2, (long)not_spawned, sizeof not_spawned - 1, 0);
  raw_syscall(SYS_exit, 127, 0, 0, 0);
}

/* The shim's steps that a direct spawn's child takes itself, in the shim's order. */
static void child_direct(struct spawn_block *b) {
  struct tsv_direct *d = b->direct;
  long parent = raw_syscall(SYS_getppid, 0, 0, 0, 0);
  long r;
  if (d->setpgid && (r = raw_syscall(SYS_setpgid, 0, 0, 0, 0)) < 0) child_fail("couldn't setpgid", NULL, -r);
  /* an armed spawn's gate is its last stdio slot: kept until the go */
  long first = d->gate >= 3 ? d->gate + 1 : 3;
  if (d->close_fds && raw_syscall(SYS_close_range, first, ~0U, 0, 0) < 0)
    for (long fd = first; fd < b->max_fd; fd++) raw_syscall(SYS_close, fd, 0, 0, 0);
  if (d->pdeathsig) {
    if ((r = raw_syscall(SYS_prctl, PR_SET_PDEATHSIG, d->pdeathsig, 0, 0)) < 0)
      child_fail("couldn't set parent death signal", NULL, -r);
    if (raw_syscall(SYS_getppid, 0, 0, 0, 0) != parent) raw_syscall(SYS_exit, 127, 0, 0, 0);
  }
  if (d->dir && (r = raw_syscall(SYS_chdir, (long)d->dir, 0, 0, 0)) < 0) child_fail("couldn't chdir to ", d->dir, -r);
  if (d->umask >= 0) raw_syscall(SYS_umask, d->umask, 0, 0, 0);
  if (d->gate >= 3) {
    /* armed: everything is done but the exec; one byte is the go, end-of-file a cancel */
    char go;
    do r = raw_syscall(SYS_read, d->gate, (long)&go, 1, 0);
    while (r == -EINTR);
    if (r != 1) raw_syscall(SYS_exit, 0, 0, 0, 0);
    raw_syscall(SYS_close, d->gate, 0, 0, 0);
  }
}

static int child_main(void *arg) {
  struct spawn_block *b = arg;
  struct { void *handler; unsigned long flags; void *restorer; unsigned long mask; } dfl = {SIG_DFL, 0, 0, 0};
  for (int s = 1; s <= 64; s++)
    if (s != SIGKILL && s != SIGSTOP) raw_syscall(SYS_rt_sigaction, s, (long)&dfl, 0, 8);
  if (b->ring >= 0) {
    /* the daemon's table, shared until now: keep a copy of its fds below K only */
    if (raw_syscall(SYS_close_range, b->keep_below, ~0U, 2 /* CLOSE_RANGE_UNSHARE */, 0) < 0 &&
        raw_syscall(SYS_unshare, CLONE_FILES, 0, 0, 0) < 0)
      raw_syscall(SYS_exit, 127, 0, 0, 0);
    __atomic_store_n(&b->unshared, 1, __ATOMIC_RELEASE);
  }
  for (int i = 0; i < b->n; i++)
    if (raw_syscall(SYS_dup3, b->fds[i], i, 0, 0) < 0) goto fail;
  if (b->direct) child_direct(b);
  unsigned long none = 0;
  raw_syscall(SYS_rt_sigprocmask, SIG_SETMASK, (long)&none, 0, 8);
  long r = raw_syscall(SYS_execve, (long)b->file, (long)b->argv, (long)b->envp, 0);
  if (b->direct) child_fail("couldn't exec ", b->argv[0], -r);
fail:
  if (b->direct) {
    static const char not_spawned[] = "supervisor: child process was not spawned\n";
    raw_syscall(SYS_write, 2, (long)not_spawned, sizeof not_spawned - 1, 0);
    raw_syscall(SYS_exit, 127, 0, 0, 0);
  }
  raw_syscall(SYS_write, 2, (long)exec_failed, sizeof exec_failed - 1, 0);
  raw_syscall(SYS_exit, 127, 0, 0, 0);
  return 127;
}

static size_t strings_size(char **a, size_t *count) {
  size_t bytes = 0, n = 0;
  for (; a[n]; n++) bytes += strlen(a[n]) + 1;
  *count = n;
  return bytes;
}

/* Copies a NULL-terminated array into the block at *at: pointers, then strings. */
static char **copy_strings(char **a, size_t count, char **at) {
  char **out = (char **)*at;
  char *text = *at + (count + 1) * sizeof(char *);
  for (size_t i = 0; i < count; i++) {
    size_t len = strlen(a[i]) + 1;
    memcpy(text, a[i], len);
    out[i] = text;
    text += len;
  }
  out[count] = NULL;
  *at = text;
  return out;
}

/* clone(CLONE_VM) of child_main on its own stack: returns the pid, or -errno. `direct`: the
 * child takes those steps itself and execs `file` (the command), else `file` is the shim. */
int tsv_clone_spawn(const char *file, char **args, char **envp, const int *fds, int n, const struct tsv_direct *direct) {
  tsv_spawn_sweep(0);
  ring_reserve();
  if (direct) errnames_fill();
  size_t argc, envc;
  size_t dir_len = direct && direct->dir ? strlen(direct->dir) + 1 : 0;
  size_t bytes = sizeof(struct spawn_block) + strlen(file) + 1 + strings_size(args, &argc) + strings_size(envp, &envc) +
                 (argc + envc + 2) * sizeof(char *) + dir_len + 64;
  size_t size = ((bytes + STACK_SIZE + 4095) / 4096) * 4096;
  struct spawn_block *b = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (b == MAP_FAILED) return -errno;
  b->size = size;
  b->n = n;
  b->ring = -1;
  memcpy(b->fds, fds, n * sizeof(int));
  int flags = CLONE_VM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD;
  int r = shared_table ? ring_take() : -1;
  if (r >= 0 && n <= RING_SLOTS) {
    int i = 0;
    for (; i < n; i++)
      if (dup3(fds[i], ring_fd[r][i], O_CLOEXEC) < 0) break;
    if (i == n) {
      memcpy(b->fds, ring_fd[r], n * sizeof(int));
      b->ring = r;
      b->keep_below = ring_top;
      flags |= CLONE_FILES;
    } else {
      for (int j = 0; j < i; j++) dup3(dev_null, ring_fd[r][j], O_CLOEXEC);
    }
  }
  char *at = (char *)(b + 1);
  at = (char *)(((uintptr_t)at + 15) & ~(uintptr_t)15);
  b->argv = copy_strings(args, argc, &at);
  at = (char *)(((uintptr_t)at + 15) & ~(uintptr_t)15);
  b->envp = copy_strings(envp, envc, &at);
  b->file = at;
  memcpy(at, file, strlen(file) + 1);
  at += strlen(file) + 1;
  b->direct = NULL;
  if (direct) {
    b->direct_steps = *direct;
    if (dir_len) {
      memcpy(at, direct->dir, dir_len);
      b->direct_steps.dir = at;
    }
    struct rlimit lim;
    b->max_fd = getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < 65536 ? (long)lim.rlim_cur : 65536;
    b->direct = &b->direct_steps;
  }
  void *stack_top = (void *)(((uintptr_t)b + size) & ~(uintptr_t)15);
  /* No signal handler of the daemon may run in the child before it has reset them. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int pid = clone(child_main, stack_top, flags, b, (pid_t *)&b->tid, NULL, (pid_t *)&b->tid);
  int err = errno;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (pid < 0) {
    if (b->ring >= 0)
      for (int i = 0; i < n; i++) dup3(dev_null, ring_fd[b->ring][i], O_CLOEXEC);
    munmap(b, size);
    return -err;
  }
  if (b->ring >= 0) ring_user[b->ring] = b;
  b->next = pending;
  pending = b;
  pending_count++;
  return pid;
}

#endif

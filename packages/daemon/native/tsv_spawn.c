/*
 * Spawning a program's exec shim without forking the daemon (issue 18).
 *
 * Node's child_process.spawn (libuv's uv_spawn) forks: the kernel copies the page tables of the
 * whole daemon, and uv_spawn then blocks until the child has exec'd, so a spawn costs more the
 * bigger the daemon is (9 ms each at 5,000 programs, against 2 ms at 200). Here the child is a
 * clone(CLONE_VM) on a stack of its own: it borrows the daemon's memory until its exec, so
 * nothing is copied, and the daemon does not wait for the exec either (glibc's posix_spawn,
 * with CLONE_VFORK, would: on a loaded machine that is waiting for the child to be scheduled,
 * 4 ms a spawn at a load of 10 on 2 cores). The child makes raw system calls only (it shares
 * the daemon's thread pointer, so glibc would write errno into the daemon's thread), from a
 * block that the daemon unmaps once the kernel has cleared its tid (CLONE_CHILD_CLEARTID: at
 * the exec). Everything supervisor does between fork and exec is the shim's job (tsv_exec.c),
 * so the child only resets signals and places its stdio. Other architectures than x86-64 and
 * arm64 use posix_spawn.
 *
 * spawnProcess(file, argv, env, stdio) -> pid: stdio[i] is the daemon's fd that becomes the
 * child's fd i, or -1 for /dev/null. Errors (the shim missing or not executable, EMFILE, EAGAIN
 * at the process limit) are thrown as system errors with syscall 'spawn'; an exec that fails
 * all the same writes supervisor's lines to the child's stderr and exits 127.
 *
 * The child is not libuv's: the daemon reaps it (src/reaper.ts) with
 * peekChild() -> pid | 0: waitid(P_ALL, WEXITED|WNOHANG|WNOWAIT): a child that has exited, left
 * a zombie (so that a child that child_process owns is only looked at, never reaped), then
 * reapPid(pid) (tsv_native.c) for those that are the daemon's own.
 *
 * countFds() -> the number of open fds, from getdents64 on /proc/self/fd without a string per
 * entry (fd-budget.ts), or -1 without /proc.
 */
#define _GNU_SOURCE
#include <node_api.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

void tsv_throw_sys(napi_env env, int err, const char *syscall, const char *what); /* tsv_native.c */

#define MAX_STDIO 16

/* A JS array of strings as a NULL-terminated char* array, or NULL (after throwing). */
static char **string_array(napi_env env, napi_value arr, const char *name) {
  uint32_t n;
  if (napi_get_array_length(env, arr, &n) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", name);
    return NULL;
  }
  char **out = calloc(n + 1, sizeof *out);
  if (!out) goto oom;
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    size_t len;
    napi_get_element(env, arr, i, &v);
    if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) {
      for (uint32_t j = 0; j < i; j++) free(out[j]);
      free(out);
      napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", name);
      return NULL;
    }
    out[i] = malloc(len + 1);
    if (!out[i]) {
      for (uint32_t j = 0; j < i; j++) free(out[j]);
      free(out);
      goto oom;
    }
    napi_get_value_string_utf8(env, v, out[i], len + 1, &len);
  }
  return out;
oom:
  tsv_throw_sys(env, ENOMEM, "posix_spawn", NULL);
  return NULL;
}

static void free_array(char **a) {
  if (!a) return;
  for (char **p = a; *p; p++) free(*p);
  free(a);
}

/* ------------------------------------------------------------ clone without waiting for exec */
#if defined(__x86_64__) || defined(__aarch64__)
#define TSV_CLONE_SPAWN 1
#include <sched.h>
#include <sys/mman.h>

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
};

static struct spawn_block *pending;

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

/* Unmaps the blocks of children that have exec'd (or died), after giving back their ring sets. */
static int sweep_blocks(void) {
  int out = ring_release();
  struct spawn_block **link = &pending;
  while (*link) {
    struct spawn_block *b = *link;
    /* (a block whose ring set is still out stays: its child may exec between the two loops) */
    int in_ring = b->ring >= 0 && ring_user[b->ring] == b;
    if (!in_ring && __atomic_load_n(&b->tid, __ATOMIC_ACQUIRE) == 0) {
      *link = b->next;
      munmap(b, b->size);
    } else {
      link = &b->next;
    }
  }
  return out;
}

static const char exec_failed[] = "supervisor: couldn't exec the exec shim (tsv-exec)\nsupervisor: child process was not spawned\n";

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
  unsigned long none = 0;
  raw_syscall(SYS_rt_sigprocmask, SIG_SETMASK, (long)&none, 0, 8);
  raw_syscall(SYS_execve, (long)b->file, (long)b->argv, (long)b->envp, 0);
fail:
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

/* clone(CLONE_VM) of child_main on its own stack: returns the pid, or -errno. */
static int clone_spawn(const char *file, char **args, char **envp, const int *fds, int n) {
  sweep_blocks();
  ring_reserve();
  size_t argc, envc;
  size_t bytes = sizeof(struct spawn_block) + strlen(file) + 1 + strings_size(args, &argc) + strings_size(envp, &envc) +
                 (argc + envc + 2) * sizeof(char *) + 64;
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
  return pid;
}
#endif

#ifndef TSV_CLONE_SPAWN
/* A /dev/null kept open (close-on-exec) for the 'ignore' slots. */
static int dev_null = -1;
#endif

napi_value tsv_spawn_process(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char file[4096];
  size_t len;
  uint32_t n = 0;
  if (argc < 4 || napi_get_value_string_utf8(env, argv[0], file, sizeof file, &len) != napi_ok ||
      napi_get_array_length(env, argv[3], &n) != napi_ok || n > MAX_STDIO) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "spawnProcess(file, argv, env, stdio): bad arguments");
    return NULL;
  }
  int src[MAX_STDIO];
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    napi_get_element(env, argv[3], i, &v);
    if (napi_get_value_int32(env, v, &src[i]) != napi_ok) {
      napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "spawnProcess: stdio must be fds (-1: /dev/null)");
      return NULL;
    }
  }
  int err = 0;
  for (uint32_t i = 0; i < n; i++) {
    if (src[i] >= 0) continue;
    if (dev_null < 0 && (dev_null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
      tsv_throw_sys(env, errno, "open", "/dev/null");
      return NULL;
    }
    src[i] = dev_null;
  }
  /* The child cannot report a failed exec before returning: what would make it fail is checked here. */
  if (access(file, X_OK) < 0) {
    tsv_throw_sys(env, errno, "spawn", file);
    return NULL;
  }
  char **args = string_array(env, argv[1], "spawnProcess: argv must be strings");
  if (!args) return NULL;
  char **envp = string_array(env, argv[2], "spawnProcess: env must be strings");
  if (!envp) {
    free_array(args);
    return NULL;
  }
  /* A source below n could be overwritten by an earlier dup onto it, and one already at its
   * slot would keep FD_CLOEXEC: both are copied above the slots first (closed again below). */
  int copies[MAX_STDIO];
  int from[MAX_STDIO];
  for (uint32_t i = 0; i < n; i++) copies[i] = -1;
  for (uint32_t i = 0; i < n && !err; i++) {
    from[i] = src[i];
    if (src[i] >= (int)n) continue;
    for (uint32_t j = 0; j < i; j++)
      if (src[j] == src[i] && copies[j] >= 0) copies[i] = copies[j];
    if (copies[i] < 0 && (copies[i] = fcntl(src[i], F_DUPFD_CLOEXEC, (int)n)) < 0) err = errno;
    from[i] = copies[i];
  }
  pid_t pid = 0;
  if (!err) {
#ifdef TSV_CLONE_SPAWN
    int r = clone_spawn(file, args, envp, from, (int)n);
    if (r < 0) err = -r;
    else pid = r;
#else
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
    for (uint32_t i = 0; i < n && !err; i++) err = posix_spawn_file_actions_adddup2(&actions, from[i], (int)i);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    if (!err) err = posix_spawn(&pid, file, &actions, &attr, args, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
#endif
  }
  for (uint32_t i = 0; i < n; i++) {
    if (copies[i] < 0) continue;
    int fd = copies[i];
    for (uint32_t j = i; j < n; j++)
      if (copies[j] == fd) copies[j] = -1;
    close(fd);
  }
  free_array(args);
  free_array(envp);
  if (err) {
    tsv_throw_sys(env, err, "spawn", file);
    return NULL;
  }
  napi_value r;
  napi_create_int32(env, pid, &r);
  return r;
}

/* spawnSettle() -> how many spawns still hold a ring set (the daemon calls it again soon). */
napi_value tsv_spawn_settle(napi_env env, napi_callback_info info) {
  (void)info;
  int out = 0;
#ifdef TSV_CLONE_SPAWN
  out = sweep_blocks();
#endif
  napi_value v;
  napi_create_int32(env, out, &v);
  return v;
}

napi_value tsv_peek_child(napi_env env, napi_callback_info info) {
  (void)info;
#ifdef TSV_CLONE_SPAWN
  sweep_blocks();
#endif
  siginfo_t si;
  memset(&si, 0, sizeof si);
  int r;
  do r = waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT);
  while (r < 0 && errno == EINTR);
  napi_value v;
  /* ECHILD: no child at all */
  napi_create_int32(env, r < 0 ? 0 : si.si_pid, &v);
  return v;
}

struct linux_dirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

napi_value tsv_count_fds(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) {
    napi_create_int32(env, -1, &v);
    return v;
  }
  char buf[32768];
  int count = 0;
  for (;;) {
    long got = syscall(SYS_getdents64, dir, buf, sizeof buf);
    if (got <= 0) break;
    for (long off = 0; off < got;) {
      struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
      if (d->d_name[0] != '.') count++;
      off += d->d_reclen;
    }
  }
  close(dir);
  napi_create_int32(env, count - 1, &v); /* the directory's own fd not counted */
  return v;
}

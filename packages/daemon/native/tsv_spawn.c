/*
 * Spawning a program's exec shim without forking the daemon (issue 18).
 *
 * Node's child_process.spawn (libuv's uv_spawn) forks: the kernel copies the page tables of the
 * whole daemon, and uv_spawn then blocks until the child has exec'd, so a spawn costs more the
 * bigger the daemon is (9 ms each at 5,000 programs, against 2 ms at 200). Here the child is a
 * clone(CLONE_VM) on a stack of its own (tsv_clone.c): it borrows the daemon's memory until its exec, so
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
 * spawnDirect(file, argv, env, stdio, steps) -> pid: the same for a command that needs only
 * setpgid, close-fds, a parent-death signal, chdir and umask: the child takes those steps and
 * execs `file` itself (tsv_clone.c), without the shim.
 *
 * The child is not libuv's: the daemon reaps it (src/reaper.ts) with
 * peekChild() -> pid | 0: waitid(P_ALL, WEXITED|WNOHANG|WNOWAIT): a child that has exited, left
 * a zombie (so that a child that child_process owns is only looked at, never reaped), then
 * reapPid(pid) (tsv_native.c) for those that are the daemon's own.
 *
 * countFds() -> the number of open fds, from getdents64 on /proc/self/fd without a string per
 * entry (fd-budget.ts), or -1 without /proc.
 *
 * growFdTable(size) -> Promise<size reached | 0>: makes the fd table cover fds below `size` in
 * one step, on a libuv worker thread. The kernel grows a table by doubling it, and in a process
 * with more than one thread (node has several) each growth waits for an RCU grace period (8-13
 * ms on this project's VMs): 200 programs' pipes and logs took the table from 64 to 2,048 in
 * five growths, ~40 ms of the spawns' time (5,000 programs: nine). One F_DUPFD at size-1, closed
 * at once, makes the whole growth a single wait, off the main thread.
 */
#define _GNU_SOURCE
#include <node_api.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tsv_direct.h"
#include "tsv_napi.h"

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

#if defined(__x86_64__) || defined(__aarch64__)
#define TSV_CLONE_SPAWN 1
/* tsv_clone.c: the pid or -errno; sweeping returns how many spawns still hold a ring set */
int tsv_clone_spawn(const char *file, char **args, char **envp, const int *fds, int n, const struct tsv_direct *direct);
int tsv_spawn_sweep(int full);
size_t tsv_spawn_unexeced(void);
#endif


/* A /dev/null kept open (close-on-exec) for the 'ignore' slots. */
static int dev_null = -1;

/* spawnProcess and spawnDirect; `direct`: the child's own steps (tsv_direct.h), NULL: the shim. */
static napi_value spawn_common(napi_env env, napi_value *argv, size_t argc, const struct tsv_direct *direct) {
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
  /* The child cannot report a failed exec of the shim before returning: what would make it fail
   * is checked here. A direct spawn's child reports its own, in the shim's words. */
  if (!direct && access(file, X_OK) < 0) {
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
    int r = tsv_clone_spawn(file, args, envp, from, (int)n, direct);
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

napi_value tsv_spawn_process(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  return spawn_common(env, argv, argc, NULL);
}

/*
 * spawnDirect(file, argv, env, stdio, [setpgid, closeFds, pdeathsig, umask, dir, armed?]) -> pid:
 * `file` is the command itself; the child takes those steps and execs it (tsv_clone.c); armed
 * (true): stdio's last slot is a pipe's read end, and the child waits there before its exec
 * (one byte: go; end-of-file: exit 0). Throws ENOSYS
 * where the spawn is posix_spawn (no code of ours runs in its child): use the shim there.
 */
napi_value tsv_spawn_direct(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
#ifndef TSV_CLONE_SPAWN
  tsv_throw_sys(env, ENOSYS, "spawn", "direct spawn");
  return NULL;
#else
  int32_t v[4];
  char dir[4096];
  size_t dir_len = 0;
  uint32_t len = 0;
  if (argc < 5 || napi_get_array_length(env, argv[4], &len) != napi_ok || (len != 5 && len != 6)) goto bad;
  for (uint32_t i = 0; i < 4; i++) {
    napi_value e;
    if (napi_get_element(env, argv[4], i, &e) != napi_ok || napi_get_value_int32(env, e, &v[i]) != napi_ok) goto bad;
  }
  napi_value d;
  if (napi_get_element(env, argv[4], 4, &d) != napi_ok ||
      napi_get_value_string_utf8(env, d, dir, sizeof dir, &dir_len) != napi_ok || dir_len >= sizeof dir - 1)
    goto bad;
  struct tsv_direct steps = {v[0], v[1], v[2], v[3], dir_len ? dir : NULL, -1};
  if (len == 6) {
    /* armed: the stdio's last slot is the gate (at least one above the child's stdin/out/err) */
    bool gated = false;
    uint32_t n = 0;
    if (napi_get_element(env, argv[4], 5, &d) != napi_ok || napi_get_value_bool(env, d, &gated) != napi_ok ||
        napi_get_array_length(env, argv[3], &n) != napi_ok || (gated && n < 4))
      goto bad;
    if (gated) steps.gate = (int)n - 1;
  }
  return spawn_common(env, argv, argc, &steps);
bad:
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE",
                        "spawnDirect: steps must be [setpgid, closeFds, pdeathsig, umask, dir, armed?] (armed: 4 stdio slots or more)");
  return NULL;
#endif
}

/* spawnSettle() -> how many spawns still hold a ring set (the daemon calls it again soon). */
napi_value tsv_spawn_settle(napi_env env, napi_callback_info info) {
  (void)info;
  int out = 0;
#ifdef TSV_CLONE_SPAWN
  out = tsv_spawn_sweep(1);
#endif
  napi_value v;
  napi_create_int32(env, out, &v);
  return v;
}

/* spawnUnexeced() -> after unmapping what it can, how many spawned children have not exec'd yet
 * (their spawn blocks stay mapped until then: the daemon sweeps again after a held batch). */
napi_value tsv_spawn_unexeced_count(napi_env env, napi_callback_info info) {
  (void)info;
  size_t out = 0;
#ifdef TSV_CLONE_SPAWN
  out = tsv_spawn_unexeced();
#endif
  napi_value v;
  napi_create_int64(env, (int64_t)out, &v);
  return v;
}

napi_value tsv_peek_child(napi_env env, napi_callback_info info) {
  (void)info;
#ifdef TSV_CLONE_SPAWN
  tsv_spawn_sweep(1);
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

typedef struct {
  tsv_job job;
  int size;
} grow_job;

/* On the worker: `result` is the size reached (0: refused). */
static void grow(tsv_job *job) {
  int size = ((grow_job *)job)->size;
  int base = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (base < 0) return;
  int fd = fcntl(base, F_DUPFD_CLOEXEC, size - 1);
  if (fd >= 0) {
    job->result = fd + 1;
    close(fd);
  }
  close(base);
}

napi_value tsv_grow_fd_table(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  int size;
  if (arg_int(env, argv[0], "size", &size)) return NULL;
  if (size < 1) {
    throw_type(env, "size must be positive");
    return NULL;
  }
  grow_job *job = calloc(1, sizeof *job);
  if (!job) {
    napi_throw_error(env, "ENOMEM", "growFdTable: out of memory");
    return NULL;
  }
  job->job.run = grow;
  job->size = size;
  return queue_job(env, &job->job, "tsv_grow_fd_table");
}

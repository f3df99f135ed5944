/*
 * What a spawn's child does itself, with raw system calls, when a program needs nothing more
 * (no user switch, no socket, no ready=fd): it then execs the command directly instead of the
 * exec shim (tsv_exec.c), in the shim's order and with the shim's failure texts and status.
 * Shared by tsv_spawn.c (which fills it from JS) and tsv_clone.c (whose child does it).
 *
 * An armed spawn (`gate`, process/armed-spawn.ts) takes every step at once and then waits for
 * the daemon's go before its exec: a dependent prepared while what it depends on starts, so that
 * its start costs only the exec once that is ready.
 */
#ifndef TSV_DIRECT_H
#define TSV_DIRECT_H

struct tsv_direct {
  int setpgid;   /* setpgid(0, 0) */
  int close_fds; /* close every fd >= 3 */
  int pdeathsig; /* PR_SET_PDEATHSIG (0: none) */
  int umask;     /* -1: unchanged */
  char *dir;     /* chdir (NULL: none) */
  int gate;      /* an armed spawn: the child's fd (its last stdio slot) where it reads one byte
                    before the exec; end-of-file instead: it exits 0 without exec'ing. -1: none */
};

#endif

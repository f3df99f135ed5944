/*
 * An errno's symbolic name (ENOENT …), as supervisor prints it in "couldn't exec X: ENOENT".
 * Used by the exec shim (tsv_exec.c), by the clone spawn (tsv_clone.c), whose child cannot
 * call into glibc and so reads a table the daemon fills before the first direct spawn, and by
 * the addon's errors (tsv_napi.c errno_name: their .code).
 */
#ifndef TSV_ERRNAME_H
#define TSV_ERRNAME_H
#include <errno.h>
#include <stdio.h>
#include <string.h>

static inline const char *tsv_errno_name(int err, char buf[32]) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  const char *n = strerrorname_np(err);
  if (n) return n;
#endif
  switch (err) {
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOEXEC: return "ENOEXEC";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case ENOMEM: return "ENOMEM";
    case E2BIG: return "E2BIG";
    case ETXTBSY: return "ETXTBSY";
    case ELOOP: return "ELOOP";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case EEXIST: return "EEXIST";
    case EINVAL: return "EINVAL";
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case ECHILD: return "ECHILD";
    case EBADF: return "EBADF";
    default: snprintf(buf, 32, "%d", err); return buf;
  }
}

#endif

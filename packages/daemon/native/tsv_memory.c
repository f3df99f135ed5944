/*
 * Working-set trimming for a long-lived, mostly idle daemon.
 *
 * Start-up touches far more of the node binary than an idle daemon ever runs again (V8's
 * snapshot, its compilers, the module loader): about 30 MB of clean, file-backed pages that
 * stay resident for the daemon's whole life. trimMemory() asks the kernel to reclaim them
 * (madvise MADV_PAGEOUT on every read-only file mapping; the kernel skips pages that other
 * processes also map) and gives free malloc arenas back (malloc_trim). A page that is needed
 * again is read back in on its next use.
 *
 * Beside other node processes most of those pages are shared (about 42 MB of the binary's code,
 * V8's snapshot and the symbol tables the dynamic linker read), so MADV_PAGEOUT leaves them
 * alone and they stay mapped in the daemon, counted in its RSS, though it never runs them
 * again. A second pass drops the daemon's own mappings of the executable's (MADV_DONTNEED): the pages stay
 * in the page cache for the processes that use them, and a page the daemon needs again is
 * mapped back by a minor fault, with no I/O. MADV_DONTNEED on a private file mapping would also
 * throw away pages written since the mapping was made (relocated RELRO data, copied on write,
 * counted as Anonymous), so it is applied only to read-only mappings with no anonymous page,
 * as /proc/self/smaps reports them (nothing in the daemon writes to a read-only mapping).
 *
 * Runs on a libuv worker thread; resolves to the number of bytes of mappings advised by either
 * pass.
 */
#define _GNU_SOURCE
#include <node_api.h>

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tsv_napi.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

static void page_out(tsv_job *job);
static void unmap_shared(tsv_job *job);

/* On the worker: `result` is the bytes advised. */
static void trim(tsv_job *job) {
  page_out(job);
  unmap_shared(job);
#ifdef __GLIBC__
  malloc_trim(0); /* glibc only: musl has no malloc_trim (its free already returns memory) */
#endif
}

/*
 * A clean file mapping: a file (inode), not writable, not a [special] mapping. With `only`, also
 * a mapping of that file (the path as /proc/self/maps writes it).
 */
static int clean_file_mapping(const char *line, unsigned long *start, unsigned long *end, const char *only) {
  unsigned long inode;
  char perms[8];
  int path_at = 0;
  if (sscanf(line, "%lx-%lx %7s %*s %*s %lu %n", start, end, perms, &inode, &path_at) < 4) return 0;
  if (inode == 0 || perms[1] == 'w' || path_at == 0 || line[path_at] != '/') return 0;
  if (!only) return 1;
  size_t n = strlen(only);
  return strncmp(line + path_at, only, n) == 0 && line[path_at + n] == '\n';
}

/* MADV_PAGEOUT on every clean file mapping: reclaims the pages no other process maps. */
static void page_out(tsv_job *job) {
  FILE *maps = fopen("/proc/self/maps", "re");
  if (maps) {
    char line[4096];
    while (fgets(line, sizeof line, maps)) {
      unsigned long start, end;
      if (!clean_file_mapping(line, &start, &end, NULL)) continue;
      if (madvise((void *)start, end - start, MADV_PAGEOUT) == 0) job->result += (double)(end - start);
    }
    fclose(maps);
  }
}

/*
 * MADV_DONTNEED on the node executable's clean mappings that still have resident pages (shared
 * with other processes, or MADV_PAGEOUT missing) and no anonymous page. The ranges are gathered
 * first and advised once /proc/self/smaps is closed; this runs on a worker thread, so only the
 * executable's mappings are advised: they are never unmapped while the process lives, whereas a
 * library's range could be unmapped (dlclose) and its addresses reused for live memory between
 * the read and the madvise. The executable is where the shared pages are (code, V8's snapshot,
 * the dynamic symbol tables: ~40 of the ~42 MB measured).
 */
static void unmap_shared(tsv_job *job) {
  char exe[4096];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len <= 0) return;
  exe[len] = '\0';
  FILE *smaps = fopen("/proc/self/smaps", "re");
  if (!smaps) return;
  enum { MAX_RANGES = 512 };
  unsigned long (*ranges)[2] = malloc(MAX_RANGES * sizeof *ranges);
  size_t n = 0;
  if (!ranges) {
    fclose(smaps);
    return;
  }
  char line[4096];
  unsigned long start = 0, end = 0, kb;
  int candidate = 0, resident = 0;
  while (fgets(line, sizeof line, smaps)) {
    if ((line[0] >= '0' && line[0] <= '9') || (line[0] >= 'a' && line[0] <= 'f')) {
      /* a mapping's header line: its fields follow */
      candidate = clean_file_mapping(line, &start, &end, exe);
      resident = 0;
    } else if (candidate && sscanf(line, "Rss: %lu kB", &kb) == 1) {
      resident = kb > 0;
    } else if (candidate && sscanf(line, "Anonymous: %lu kB", &kb) == 1) {
      if (resident && kb == 0 && n < MAX_RANGES) {
        ranges[n][0] = start;
        ranges[n][1] = end;
        n++;
      }
      candidate = 0;
    }
  }
  fclose(smaps);
  for (size_t i = 0; i < n; i++) {
    unsigned long size = ranges[i][1] - ranges[i][0];
    if (madvise((void *)ranges[i][0], size, MADV_DONTNEED) == 0) job->result += (double)size;
  }
  free(ranges);
}

napi_value tsv_trim_memory(napi_env env, napi_callback_info info) {
  (void)info;
  tsv_job *job = calloc(1, sizeof *job);
  if (!job) {
    napi_throw_error(env, "ENOMEM", "trimMemory: out of memory");
    return NULL;
  }
  job->run = trim;
  return queue_job(env, job, "tsv_trim_memory");
}

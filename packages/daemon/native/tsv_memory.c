/*
 * Working-set trimming for a long-lived, mostly idle daemon.
 *
 * Start-up touches far more of the node binary than an idle daemon ever runs again (V8's
 * snapshot, its compilers, the module loader): about 30 MB of clean, file-backed pages that
 * stay resident for the daemon's whole life. trimMemory() asks the kernel to reclaim them
 * (madvise MADV_PAGEOUT on every read-only file mapping; the kernel skips pages that other
 * processes also map) and gives free malloc arenas back (malloc_trim). A page that is needed
 * again is read back in on its next use. Runs on a libuv worker thread; resolves to the number
 * of bytes of mappings advised (0 where the kernel has no MADV_PAGEOUT, before Linux 5.4).
 */
#define _GNU_SOURCE
#include <node_api.h>

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  double advised;
} trim_job;

static void trim_execute(napi_env env, void *data) {
  trim_job *job = data;
  FILE *maps = fopen("/proc/self/maps", "re");
  if (maps) {
    char line[4096];
    while (fgets(line, sizeof line, maps)) {
      unsigned long start, end, inode;
      char perms[8];
      int path_at = 0;
      if (sscanf(line, "%lx-%lx %7s %*s %*s %lu %n", &start, &end, perms, &inode, &path_at) < 4) continue;
      /* Clean file pages only: a file (inode), not writable, not a [special] mapping. */
      if (inode == 0 || perms[1] == 'w' || path_at == 0 || line[path_at] != '/') continue;
      if (madvise((void *)start, end - start, MADV_PAGEOUT) == 0) job->advised += (double)(end - start);
    }
    fclose(maps);
  }
#ifdef __GLIBC__
  malloc_trim(0); /* glibc only: musl has no malloc_trim (its free already returns memory) */
#endif
}

static void trim_complete(napi_env env, napi_status status, void *data) {
  trim_job *job = data;
  napi_value result;
  napi_create_double(env, job->advised, &result);
  napi_resolve_deferred(env, job->deferred, result);
  napi_delete_async_work(env, job->work);
  free(job);
}

napi_value tsv_trim_memory(napi_env env, napi_callback_info info) {
  napi_value promise, name;
  trim_job *job = calloc(1, sizeof *job);
  if (!job) {
    napi_throw_error(env, "ENOMEM", "trimMemory: out of memory");
    return NULL;
  }
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_string_utf8(env, "tsv_trim_memory", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, trim_execute, trim_complete, job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}

/*
 * rotate-cat PATH MAXBYTES BACKUPS: `cat > PATH` that rotates as supervisor does, the least any
 * rotating logger can cost. It reads stdin 128 KiB at a time (as cat does) and appends to PATH;
 * when PATH reaches MAXBYTES it applies supervisor's plan (PATH.N-1 → PATH.N … PATH → PATH.1,
 * each destination removed first, as rotation.ts does) and opens a fresh PATH. The limit that
 * logs-throughput.mjs sets beside the rotating cases: what rotation costs by itself (creating
 * files, removing a 50 MB backup) is in it, and no event loop is.
 *
 * Used by scripts/bench/logs-throughput.mjs (compiled on the fly with cc).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char buf[128 * 1024];

static int openLog(const char *path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0644);
  if (fd < 0) {
    perror(path);
    exit(1);
  }
  return fd;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: rotate-cat PATH MAXBYTES BACKUPS\n");
    return 2;
  }
  const char *path = argv[1];
  long long max = atoll(argv[2]);
  int backups = atoi(argv[3]);
  char from[4096], to[4096];
  int out = openLog(path);
  long long size = 0;
  for (;;) {
    size_t want = sizeof buf;
    if (max > 0 && (long long)want > max - size) want = (size_t)(max - size);
    ssize_t n = read(0, buf, want);
    if (n == 0) break;
    if (n < 0) {
      perror("read");
      return 1;
    }
    for (ssize_t done = 0; done < n;) {
      ssize_t w = write(out, buf + done, (size_t)(n - done));
      if (w <= 0) {
        perror("write");
        return 1;
      }
      done += w;
    }
    size += n;
    if (max > 0 && size >= max) {
      for (int i = backups - 1; i >= 0; i--) {
        if (i == 0) snprintf(from, sizeof from, "%s", path);
        else snprintf(from, sizeof from, "%s.%d", path, i);
        snprintf(to, sizeof to, "%s.%d", path, i + 1);
        unlink(to);
        rename(from, to);
      }
      close(out);
      out = openLog(path);
      size = 0;
    }
  }
  return 0;
}

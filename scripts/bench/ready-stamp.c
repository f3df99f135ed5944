/*
 * The readiness benchmark's clock (readiness.mjs): a process that says it is ready and
 * records when, and a dependent that records when it began. Both read CLOCK_MONOTONIC (one
 * clock for the whole machine), so the difference is the time from the ready process's write
 * to the dependent's first instruction in main(): the supervisor's reaction, its fork and
 * exec, and the dynamic loader (built static when the toolchain allows, to keep that small).
 *
 *   ready-stamp notify OUT DELAY_MS   sleeps DELAY_MS, then sends READY=1 to $NOTIFY_SOCKET
 *   ready-stamp fd N OUT DELAY_MS     sleeps DELAY_MS, then writes "\n" to its fd N
 *   ready-stamp start OUT             its first act: read the clock
 * Each writes the nanoseconds it read to OUT (after the write that is measured), then waits
 * for a signal.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void record(const char *out, long long t) {
  char buf[32];
  int n = snprintf(buf, sizeof buf, "%lld\n", t);
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp", out);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write(fd, buf, n) != n) _exit(3);
  close(fd);
  rename(tmp, out); /* the bench never reads half a number */
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

int main(int argc, char **argv) {
  long long t = now_ns();
  if (argc == 3 && strcmp(argv[1], "start") == 0) {
    record(argv[2], t);
  } else if (argc == 4 && strcmp(argv[1], "notify") == 0) {
    const char *path = getenv("NOTIFY_SOCKET");
    if (!path || !*path) return 2;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t len = strlen(path);
    if (len >= sizeof sa.sun_path) return 2;
    memcpy(sa.sun_path, path, len);
    if (sa.sun_path[0] == '@') sa.sun_path[0] = 0; /* abstract namespace */
    int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0 || connect(s, (struct sockaddr *)&sa, offsetof(struct sockaddr_un, sun_path) + len) < 0) return 2;
    sleep_ms(atol(argv[3]));
    t = now_ns();
    if (send(s, "READY=1", 7, 0) != 7) return 2;
    record(argv[2], t);
  } else if (argc == 5 && strcmp(argv[1], "fd") == 0) {
    int fd = atoi(argv[2]);
    sleep_ms(atol(argv[4]));
    t = now_ns();
    if (write(fd, "\n", 1) != 1) return 2;
    close(fd);
    record(argv[3], t);
  } else {
    fprintf(stderr, "usage: ready-stamp notify OUT DELAY_MS | fd N OUT DELAY_MS | start OUT\n");
    return 2;
  }
  for (;;) pause();
}

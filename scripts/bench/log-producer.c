/*
 * log-producer SIZE [WRITE_SIZE]: writes SIZE bytes to stdout as fast as it can, in writes of
 * WRITE_SIZE bytes (default 8192, like `head -c`), as 64-byte lines that start with their own
 * byte offset (12 digits), so a log can be checked for lost, doubled or reordered bytes:
 *
 *   000000000000 INFO GET /api/v1/items?page=3 200 1532 bytes 4.2ms\n
 *
 * Used by scripts/bench/logs-throughput.mjs (compiled on the fly with cc).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINE 64
#define DIGITS 12

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: log-producer SIZE [WRITE_SIZE]\n");
    return 2;
  }
  unsigned long long size = strtoull(argv[1], NULL, 10);
  size_t wsize = argc > 2 ? strtoul(argv[2], NULL, 10) : 8192;
  if (wsize < LINE || wsize % LINE) {
    fprintf(stderr, "log-producer: WRITE_SIZE must be a multiple of %d\n", LINE);
    return 2;
  }
  static const char text[] = " INFO GET /api/v1/items?page=3 200 1532 bytes 4.2ms\n";
  _Static_assert(sizeof text - 1 == LINE - DIGITS, "line length");
  char *buf = malloc(wsize);
  if (!buf) return 1;
  char digits[DIGITS];
  memset(digits, '0', DIGITS);
  unsigned long long done = 0;
  while (done < size) {
    size_t n = 0;
    while (n < wsize) {
      memcpy(buf + n, digits, DIGITS);
      memcpy(buf + n + DIGITS, text, LINE - DIGITS);
      n += LINE;
      /* digits += 64, in decimal */
      int carry = LINE;
      for (int i = DIGITS - 1; i >= 0 && carry; i--) {
        int d = digits[i] - '0' + carry;
        digits[i] = (char)('0' + d % 10);
        carry = d / 10;
      }
    }
    if (n > size - done) n = (size_t)(size - done);
    size_t off = 0;
    while (off < n) {
      ssize_t w = write(1, buf + off, n - off);
      if (w < 0) {
        if (errno == EINTR) continue;
        perror("log-producer: write");
        return 1;
      }
      off += (size_t)w;
    }
    done += n;
  }
  return 0;
}

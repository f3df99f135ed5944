/*
 * Reading a child's stdout/stderr pipe with libuv directly, into buffers JavaScript chooses.
 *
 * What it replaces: a net.Socket per pipe (its Readable and Writable state, listener objects,
 * closures, Node's PipeWrap). A daemon keeps two of these per program for the program's whole
 * life, so their size is what a program costs; here a pipe is one malloc'd block (this struct
 * and libuv's uv_pipe_t) and two references, and it calls one JS function for every read.
 *
 *   pipeInit(onRead)              once: onRead.call(owner, n) for every read, n > 0 bytes read
 *                                 into the owner's current buffer, n < 0 a libuv error (UV_EOF
 *                                 at the end); returning false stops reading (pipeStart resumes)
 *   pipeOpen(fd, owner, buffer)   takes the fd (closed by pipeClose); reads start with pipeStart
 *   pipeSetBuffer(pipe, buffer)   the buffer the next read goes into (kept alive until replaced)
 *   pipeStart(pipe), pipeStop(pipe) -> late, pipeClose(pipe) -> late
 *   pipeSplice(pipe, fd, limit, flooding) -> late
 *                                 fd >= 0: from now on the bytes go from the pipe to the regular
 *                                 file `fd` in the kernel (splice(2), never through a buffer of
 *                                 ours), written at the file's end; after each wake-up onRead is
 *                                 called as onRead.call(owner, n, true, drained, ms) with n > 0
 *                                 bytes moved (drained: the pipe was emptied), UV_EOF at the
 *                                 end, or a negative errno if splice failed (reading stays
 *                                 stopped: the caller reads again with pipeSplice(pipe, -1);
 *                                 `ms` is then the bytes lost, which a copier had read).
 *                                 `limit` > 0 stops after that many bytes until pipeSplice sets
 *                                 a new one (a log's rotation point); 0: no limit. fd -1: read
 *                                 into buffers again. The file must not be O_APPEND (the kernel
 *                                 refuses splice into one: setFdAppend(fd, false)). A flooding
 *                                 channel is copied by a thread instead (copier_main, below; at
 *                                 once when `flooding` is true). `late`: the bytes a copier this
 *                                 call stopped had moved and onRead had not heard of.
 *   setFdAppend(fd, on)           sets or clears O_APPEND on fd
 *   pipeGoOnNewline(pipe, fd)     the first read that holds a newline writes one byte to (a copy
 *                                 of) fd before onRead runs: an armed dependent's gate let go by
 *                                 a ready=fd:N line (readiness/fd.ts), with no JS on the way;
 *                                 pipeClose disables it if it has not fired
 *   pipeGoCancel(pipe) -> whether it had fired; forgets it
 *
 * Splicing uses a uv_poll_t on the pipe (made at the first pipeSplice), and reading the
 * uv_pipe_t; only one of them watches the fd at a time (libuv re-registers an fd that another
 * handle watched before).
 *
 * onRead runs through napi_make_callback, as Node's own stream callbacks do: promise jobs and
 * process.nextTick callbacks run after it, and an exception it throws is uncaught.
 */
#define _GNU_SOURCE
#include <node_api.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if __has_include(<uv.h>)
#include <uv.h>
#else
/* Node's headers are not installed: the few libuv 1.x calls used here, declared by hand (the
 * node binary exports them; their ABI is stable across libuv 1.x). */
typedef struct uv_loop_s uv_loop_t;
typedef struct uv_handle_s uv_handle_t;
typedef struct uv_stream_s uv_stream_t;
typedef struct uv_pipe_s uv_pipe_t;
typedef struct uv_buf_t {
  char *base;
  size_t len;
} uv_buf_t;
typedef int uv_file;
typedef enum { UV_ASYNC = 1, UV_NAMED_PIPE = 7, UV_POLL = 8 } uv_handle_type;
typedef struct uv_poll_s uv_poll_t;
typedef struct uv_async_s uv_async_t;
typedef void (*uv_async_cb)(uv_async_t *handle);
int uv_async_init(uv_loop_t *loop, uv_async_t *handle, uv_async_cb cb);
int uv_async_send(uv_async_t *handle);
void uv_ref(uv_handle_t *handle);
enum { UV_READABLE = 1 };
typedef void (*uv_poll_cb)(uv_poll_t *handle, int status, int events);
int uv_poll_init(uv_loop_t *loop, uv_poll_t *handle, int fd);
int uv_poll_start(uv_poll_t *handle, int events, uv_poll_cb cb);
int uv_poll_stop(uv_poll_t *handle);
#define UV_EOF (-4095)
typedef void (*uv_alloc_cb)(uv_handle_t *handle, size_t suggested_size, uv_buf_t *buf);
typedef void (*uv_read_cb)(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf);
typedef void (*uv_close_cb)(uv_handle_t *handle);
size_t uv_handle_size(uv_handle_type type);
int uv_pipe_init(uv_loop_t *loop, uv_pipe_t *handle, int ipc);
int uv_pipe_open(uv_pipe_t *handle, uv_file file);
int uv_read_start(uv_stream_t *stream, uv_alloc_cb alloc_cb, uv_read_cb read_cb);
int uv_read_stop(uv_stream_t *stream);
void uv_close(uv_handle_t *handle, uv_close_cb close_cb);
void uv_unref(uv_handle_t *handle);
void *uv_handle_get_data(const uv_handle_t *handle);
void uv_handle_set_data(uv_handle_t *handle, void *data);
const char *uv_strerror(int err);
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

void tsv_let_go(int fd); /* tsv_napi.c (whose header clashes with this file's helpers) */

/* What one env shares: the read callback and the async context it runs in. */
typedef struct {
  napi_ref on_read;
  napi_async_context context;
} pipe_env;

typedef struct pipe_reader {
  napi_env env;
  pipe_env *shared;
  napi_ref owner;  /* the JS object onRead is called on; strong while open */
  napi_ref buffer; /* the buffer reads go into; strong */
  char *base;
  size_t len;
  int reading;
  int in_callback; /* onRead is running */
  int wanted;      /* pipeStart (1) or pipeStop (0) called while it ran; -1: neither */
  int closing;   /* pipeClose called: no more callbacks */
  int open_handles; /* handles whose close_cb has not run yet (0: libuv is done with them) */
  int finalized; /* the JS external was collected */
  int fd;        /* the pipe's read end */
  int splice_fd; /* >= 0: splicing into this file (the poll watches the pipe); -1: reading */
  int limited;   /* splice_left counts down to a stop */
  double splice_left;
  uv_poll_t *poll; /* made at the first pipeSplice */
  /* splice mode's flood rule (see on_splice): bytes in the current window, its start (ns) */
  double window_bytes;
  double window_start;
  int flooding;
  int flood_now;              /* pipeSplice's `flooding`: the next start in splice mode is a copier */
  int resting;                /* in the rest list, its poll stopped until the rest timer fires */
  int go_fd;                  /* pipeGoOnNewline's copy of a gate, -1: none (or fired) */
  int go_fired;
  struct pipe_reader *rest_next;
  /* the copier thread of a flooding spliced channel (see copier_main); c_* under copy_lock */
  int copying; /* a copier runs (or has ended and awaits its join) */
  pthread_t copier;
  int wake_fd;        /* an eventfd: the copier's poll wakes when the main thread writes to it */
  int c_stop;         /* main -> copier: stop */
  int c_fd;           /* main -> copier: the file */
  int c_limited;      /* main -> copier: stop at c_limit_end bytes moved */
  double c_limit_end;
  double c_moved;     /* copier -> main: bytes written to the file since the copier started */
  double c_reported;  /* main only: the part of c_moved onRead has heard of */
  int c_events;       /* copier -> main: COPY_* */
  int c_errno;        /* with COPY_ERROR */
  double c_lost;      /* with COPY_ERROR: bytes read that the file refused */
  int c_pipe_was;     /* the copier shrank the pipe from this size (0: it did not) */
  int c_posted;       /* in the post list */
  struct pipe_reader *post_next;
  /* libuv's uv_pipe_t follows, uv_handle_size(UV_NAMED_PIPE) bytes, 16-byte aligned */
} pipe_reader;

#define HEADER_SIZE ((sizeof(pipe_reader) + 15) & ~(size_t)15)

static uv_pipe_t *handle_of(pipe_reader *r) {
  return (uv_pipe_t *)((char *)r + HEADER_SIZE);
}

static void throw_uv(napi_env env, const char *what, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, uv_strerror(err));
  napi_throw_error(env, "ERR_TSV_PIPE", msg);
}

static void drop_refs(pipe_reader *r) {
  if (r->owner) napi_delete_reference(r->env, r->owner);
  if (r->buffer) napi_delete_reference(r->env, r->buffer);
  r->owner = r->buffer = NULL;
  r->base = NULL;
  r->len = 0;
}

static void on_close(uv_handle_t *h) {
  pipe_reader *r = uv_handle_get_data(h);
  if (--r->open_handles > 0) return;
  if (r->finalized) {
    free(r->poll);
    free(r);
  }
}

static void rest_forget(pipe_reader *r);
static double copier_halt(pipe_reader *r);
static int copier_start(pipe_reader *r);

static void close_reader(pipe_reader *r) {
  if (r->closing) return;
  copier_halt(r); /* before the pipe's fd is closed under it */
  if (r->go_fd >= 0) close(r->go_fd); /* never fires now (go_fired stays as it was) */
  r->go_fd = -1;
  rest_forget(r);
  r->closing = 1;
  r->reading = 0;
  drop_refs(r);
  /* the poll first: closing the pipe handle closes the fd it watches */
  if (r->poll) uv_close((uv_handle_t *)r->poll, on_close);
  uv_close((uv_handle_t *)handle_of(r), on_close);
}

static void finalize_reader(napi_env env, void *data, void *hint) {
  pipe_reader *r = data;
  r->finalized = 1;
  if (!r->closing) close_reader(r); /* only at env teardown: an open reader holds its owner */
  else if (r->open_handles == 0) {
    free(r->poll);
    free(r);
  }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf);
static void on_splice(uv_poll_t *h, int status, int events);

/* Starts watching the pipe the current way (poll when splicing, or a copier when pipeSplice
 * said the channel floods; else libuv's reads). */
static int start_active(pipe_reader *r) {
  if (r->splice_fd >= 0 && r->flood_now && !r->copying) {
    r->flood_now = 0;
    if (copier_start(r)) return 0;
  }
  if (r->splice_fd >= 0) return uv_poll_start(r->poll, UV_READABLE, on_splice);
  return uv_read_start((uv_stream_t *)handle_of(r), on_alloc, on_read);
}

/* Stops watching (a copier is stopped and joined); returns the bytes a copier moved that
 * onRead has not heard of yet (see copier_halt). */
static double stop_active(pipe_reader *r) {
  if (r->copying) return copier_halt(r); /* (its poll was stopped when it started) */
  if (r->splice_fd >= 0) uv_poll_stop(r->poll);
  else uv_read_stop((uv_stream_t *)handle_of(r));
  return 0;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  pipe_reader *r = uv_handle_get_data(h);
  buf->base = r->base;
  buf->len = r->len;
}

/* onRead.call(owner, n) after a read, or onRead.call(owner, n, true, drained, ms) after a
 * wake-up in splice mode (ms: how long its splices took, which a slow disk makes long). Returns whether to go on: unless JS wants more (or closed it, or the pipe ended:
 * it closes then), it stops. A pipeStart or pipeStop made during the callback (a Readable's
 * _read, called from inside push) is the later word, so it wins over the return value. */
static int call_owner(pipe_reader *r, double n, int spliced, int drained, double ms) {
  napi_env env = r->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return 0;
  napi_value owner, fn, argv[4], result;
  napi_get_reference_value(env, r->owner, &owner);
  napi_get_reference_value(env, r->shared->on_read, &fn);
  napi_create_double(env, n, &argv[0]);
  if (spliced) {
    napi_get_boolean(env, true, &argv[1]);
    napi_get_boolean(env, drained, &argv[2]);
    napi_create_double(env, ms, &argv[3]);
  }
  r->in_callback = 1;
  r->wanted = -1;
  napi_status st = napi_make_callback(env, r->shared->context, owner, fn, spliced ? 4 : 1, argv, &result);
  if (st == napi_pending_exception) {
    napi_value err;
    napi_get_and_clear_last_exception(env, &err);
    napi_fatal_exception(env, err);
  }
  r->in_callback = 0;
  int more = st != napi_ok && n > 0; /* it threw: read on, rather than stall the child */
  if (st == napi_ok && n > 0) {
    napi_valuetype t;
    bool b = true;
    if (napi_typeof(env, result, &t) == napi_ok && t == napi_boolean) napi_get_value_bool(env, result, &b);
    more = b;
  }
  if (r->wanted != -1 && n > 0) more = r->wanted;
  napi_close_handle_scope(env, scope);
  return more;
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
  pipe_reader *r = uv_handle_get_data((uv_handle_t *)stream);
  if (nread == 0 || r->closing) return;
  if (nread > 0 && r->go_fd >= 0 && memchr(buf->base, '\n', (size_t)nread)) {
    tsv_let_go(r->go_fd);
    r->go_fd = -1;
    r->go_fired = 1;
  }
  int more = call_owner(r, (double)nread, 0, 0, 0);
  if (!more && !r->closing && r->reading) {
    r->reading = 0;
    stop_active(r); /* (a pipeSplice during the callback may have changed the way) */
  }
}

/* The largest splice(2) asked for at once (the kernel moves what the pipe holds, up to this). */
#define SPLICE_MAX (4 << 20)

/*
 * A flooding channel in splice mode (FLOOD_BYTES within FLOOD_WINDOW_NS, the rule PipeSource
 * applies to reads) is handed to a copier thread (below). When none can be had (MAX_COPIERS
 * run, or a thread cannot be made), it rests REST_NS after each wake-up that emptied its pipe, so that the next
 * splice takes what piled up rather than each 4-8 KiB write of a shell pipeline: woken for every
 * write, the daemon spends its CPU in wake-ups; resting a millisecond (a node timer, as reads
 * do) lets a pipe fill and the child wait. A quarter of a millisecond (one timerfd for every
 * resting channel) holds ~200 KiB at 800 MB/s, well within a grown pipe: the child never waits.
 */
#define FLOOD_BYTES (256 * 1024)
#define FLOOD_WINDOW_NS 10e6
#define REST_NS 250000

static int rest_fd = -1;
static uv_poll_t *rest_poll;
static pipe_reader *rest_list;
static int rest_armed;

static void rest_forget(pipe_reader *r) {
  if (!r->resting) return;
  for (pipe_reader **at = &rest_list; *at; at = &(*at)->rest_next)
    if (*at == r) {
      *at = r->rest_next;
      break;
    }
  r->resting = 0;
  r->rest_next = NULL;
}

/* The rest is over: every resting channel that still splices watches its pipe again. */
static void on_rest_over(uv_poll_t *h, int status, int events) {
  uint64_t ticks;
  while (read(rest_fd, &ticks, sizeof ticks) < 0 && errno == EINTR) {
  }
  rest_armed = 0;
  pipe_reader *list = rest_list;
  rest_list = NULL;
  while (list) {
    pipe_reader *r = list;
    list = r->rest_next;
    r->rest_next = NULL;
    r->resting = 0;
    if (!r->closing && r->reading && r->splice_fd >= 0) uv_poll_start(r->poll, UV_READABLE, on_splice);
  }
}

/* Stops watching `r`'s pipe for REST_NS; false when no timer could be had (then it goes on). */
static int rest(pipe_reader *r) {
  if (rest_fd < 0) {
    struct uv_loop_s *loop;
    napi_get_uv_event_loop(r->env, &loop);
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    uv_poll_t *p = fd >= 0 ? calloc(1, uv_handle_size(UV_POLL)) : NULL;
    if (!p || uv_poll_init(loop, p, fd) != 0 || uv_poll_start(p, UV_READABLE, on_rest_over) != 0) {
      free(p);
      if (fd >= 0) close(fd);
      return 0;
    }
    uv_unref((uv_handle_t *)p); /* a resting channel's own poll handle is what keeps node alive */
    rest_fd = fd;
    rest_poll = p;
  }
  if (!rest_armed) {
    struct itimerspec t = {{0, 0}, {0, REST_NS}};
    if (timerfd_settime(rest_fd, 0, &t, NULL) != 0) return 0;
    rest_armed = 1;
  }
  uv_poll_stop(r->poll);
  r->resting = 1;
  r->rest_next = rest_list;
  rest_list = r;
  return 1;
}

/* The pipe is readable (or hung up) in splice mode: move what it holds into the file. */
static void on_splice(uv_poll_t *h, int status, int events) {
  pipe_reader *r = uv_handle_get_data((uv_handle_t *)h);
  if (r->closing || r->splice_fd < 0) return;
  double moved = 0;
  int eof = 0, err = status < 0 ? status : 0, drained = 0;
  struct stat st;
  loff_t off = 0;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (!err && fstat(r->splice_fd, &st) != 0) err = -errno;
  else off = st.st_size; /* at the end, as O_APPEND would (a copytruncate starts it again at 0) */
  while (!err) {
    size_t want = SPLICE_MAX;
    if (r->limited) {
      if (r->splice_left <= 0) break;
      if (r->splice_left < want) want = (size_t)r->splice_left;
    }
    ssize_t n = splice(r->fd, NULL, r->splice_fd, &off, want, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (n > 0) {
      moved += n;
      if (r->limited) r->splice_left -= n;
      continue;
    }
    if (n == 0) eof = 1;
    else if (errno == EINTR) continue;
    else if (errno == EAGAIN) drained = 1;
    else err = -errno;
    break;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
  r->window_bytes += moved;
  if (r->window_bytes >= FLOOD_BYTES) {
    double now = t1.tv_sec * 1e9 + t1.tv_nsec;
    r->flooding = now - r->window_start <= FLOOD_WINDOW_NS;
    r->window_start = now;
    r->window_bytes = 0;
  }
  int more = 1;
  if (moved > 0) more = call_owner(r, moved, 1, drained || eof, ms);
  if (r->closing) return;
  if (eof || err) {
    /* reading stops; JS finishes (EOF) or reads again with pipeSplice(pipe, -1) (an error: what
     * the pipe still holds is read and written the ordinary way, which reports the trouble) */
    if (r->reading && r->splice_fd >= 0) {
      r->reading = 0;
      uv_poll_stop(r->poll);
    }
    call_owner(r, eof ? UV_EOF : err, 1, 0, 0);
    return;
  }
  if (r->splice_fd >= 0 && r->limited && r->splice_left <= 0) more = 0; /* no new limit given */
  if (!more && r->reading) {
    r->reading = 0;
    stop_active(r);
  } else if (more && r->reading && r->splice_fd >= 0 && r->flooding && drained && !r->resting) {
    if (!copier_start(r)) rest(r);
  }
}


/*
 * A flooding channel's copier. Splicing on the event loop, a flooding channel is woken by a
 * timer (the rest above) and waits its turn for a core each time; a producer that writes 4-8 KiB
 * at a time then finds the pipe full and waits too. What keeps up is what `cat` does: a thread
 * that waits on the pipe alone (poll), so the kernel wakes it at every write, and copies with
 * read + pwrite through one buffer (a splice into a file costs less CPU, one copy of each byte
 * rather than two, but took 20-30 % longer than a copy behind a fast producer: BENCHMARKS.md).
 * So once a spliced channel floods, copier_main takes the pipe from the poll: it copies into the
 * splice's file, at its end, up to the splice's limit, and tells the main thread through one
 * uv_async_t (the post list) every COPY_REPORT_BYTES, when it reaches the limit (then it waits
 * for a new one), when the pipe has stayed empty COPY_REPORT_MS with bytes untold, and when it
 * ends: at the pipe's end, at an error, or after COPY_IDLE_MS with nothing to copy (the poll
 * watches the pipe again). The main thread stops it itself (copier_halt: an eventfd wakes it,
 * then a join, which waits at most for one write) before anything else touches the pipe or the
 * file: pipeStop, pipeSplice to another file or to reads, pipeClose. What it had moved and not
 * yet told is returned by those calls, for the owner to count. Its bytes never reach JS, and
 * the event loop never waits on its writes (onRead's `ms` is 0).
 */
#define COPY_BUF (128 * 1024)
#define COPY_REPORT_BYTES (4 << 20)
#define COPY_REPORT_MS 10
#define COPY_IDLE_MS 100
#define MAX_COPIERS 64
/* The pipe's size while a copier reads it (PipeSource grows a flooding channel's to 1 MiB, for
 * the event loop's rests): with `cat`'s 64 KiB a `seq` pipeline's bytes cycle through 16 pages
 * rather than 256, and it ran 5-15 % faster (BENCHMARKS.md). Shrinking fails while the pipe
 * holds more: tried when a read has emptied it, COPY_SHRINK_TRIES times at most. */
#define COPY_PIPE (64 * 1024)
#define COPY_SHRINK_TRIES 16
enum { COPY_LIMIT = 1, COPY_EOF = 2, COPY_ERROR = 4, COPY_EXITED = 8 };

static pthread_mutex_t copy_lock = PTHREAD_MUTEX_INITIALIZER;
static pipe_reader *post_list; /* readers with news for the main thread (c_posted) */
static uv_async_t *copy_async; /* made at the first copier, on the main loop; never closed */
static int copiers;            /* running: copy_async is referenced while any runs */

/* Copier side: `events` (0: bytes moved) for the main thread. */
static void copier_post(pipe_reader *r, int events) {
  pthread_mutex_lock(&copy_lock);
  r->c_events |= events;
  int send = !r->c_posted;
  if (send) {
    r->c_posted = 1;
    r->post_next = post_list;
    post_list = r;
  }
  pthread_mutex_unlock(&copy_lock);
  if (send) uv_async_send(copy_async);
}

/* Copier side: waits for the wake eventfd, or the pipe too (pipe_fd >= 0); poll's result. */
static int copier_wait(pipe_reader *r, int pipe_fd, int timeout_ms) {
  struct pollfd p[2] = {{r->wake_fd, POLLIN, 0}, {pipe_fd, POLLIN, 0}};
  int n = poll(p, pipe_fd >= 0 ? 2 : 1, timeout_ms);
  if (n > 0 && p[0].revents) {
    uint64_t v;
    while (read(r->wake_fd, &v, sizeof v) < 0 && errno == EINTR) {
    }
  }
  return n < 0 ? 1 : n; /* EINTR: look again */
}

static void *copier_main(void *arg) {
  pipe_reader *r = arg;
  char *buf = malloc(COPY_BUF);
  int fd = -1, restat = 1, limit_told = 0, events = 0, err = 0, shrink_tries = COPY_SHRINK_TRIES;
  double untold = 0, lost = 0;
  off_t off = 0;
  while (buf) {
    pthread_mutex_lock(&copy_lock);
    int stop = r->c_stop;
    if (r->c_fd != fd) {
      fd = r->c_fd;
      restat = 1;
    }
    double left = r->c_limited ? r->c_limit_end - r->c_moved : -1;
    pthread_mutex_unlock(&copy_lock);
    if (stop) break;
    if (restat) {
      struct stat st;
      if (fstat(fd, &st) != 0) {
        err = errno;
        events = COPY_ERROR;
        break;
      }
      off = st.st_size; /* at the end, as O_APPEND would (a copytruncate starts it again at 0) */
      restat = 0;
    }
    if (left == 0) {
      if (!limit_told) copier_post(r, COPY_LIMIT);
      limit_told = 1;
      untold = 0;
      copier_wait(r, -1, -1);
      restat = 1;
      continue;
    }
    limit_told = 0;
    size_t want = COPY_BUF;
    if (left > 0 && left < want) want = (size_t)left;
    ssize_t n = read(r->fd, buf, want);
    if (n > 0) {
      ssize_t done = 0;
      while (done < n) {
        ssize_t w = pwrite(fd, buf + done, (size_t)(n - done), off);
        if (w > 0) {
          done += w;
          off += w;
        } else if (w < 0 && errno == EINTR) {
          continue;
        } else {
          err = w < 0 ? errno : EIO;
          break;
        }
      }
      pthread_mutex_lock(&copy_lock);
      r->c_moved += done;
      pthread_mutex_unlock(&copy_lock);
      if (done < n) {
        lost = n - done;
        events = COPY_ERROR;
        break;
      }
      untold += n;
      if (untold >= COPY_REPORT_BYTES) {
        copier_post(r, 0);
        untold = 0;
      }
      if ((size_t)n == want) continue;
      if (shrink_tries > 0) {
        shrink_tries--;
        int was = fcntl(r->fd, F_GETPIPE_SZ);
        if (was <= COPY_PIPE) shrink_tries = 0;
        else if (fcntl(r->fd, F_SETPIPE_SZ, COPY_PIPE) >= 0) {
          r->c_pipe_was = was; /* (read by the main thread after the join) */
          shrink_tries = 0;
        }
      }
      errno = EAGAIN; /* a pipe's read takes what it holds: a short one emptied it, so wait */
    } else if (n == 0) {
      events = COPY_EOF;
      break;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) {
      err = errno;
      events = COPY_ERROR;
      break;
    }
    int ready = copier_wait(r, r->fd, untold > 0 ? COPY_REPORT_MS : COPY_IDLE_MS);
    restat = 1;
    if (ready == 0 && untold > 0) {
      copier_post(r, 0);
      untold = 0;
    } else if (ready == 0) {
      break; /* idle: the poll takes over */
    }
  }
  free(buf);
  pthread_mutex_lock(&copy_lock);
  r->c_errno = err;
  r->c_lost = lost;
  pthread_mutex_unlock(&copy_lock);
  copier_post(r, events | COPY_EXITED);
  return NULL;
}

static void copier_joined(pipe_reader *r) {
  pthread_join(r->copier, NULL);
  r->copying = 0;
  if (r->c_pipe_was > 0) fcntl(r->fd, F_SETPIPE_SZ, r->c_pipe_was); /* best effort: as granted */
  r->c_pipe_was = 0;
  close(r->wake_fd);
  r->wake_fd = -1;
  if (--copiers == 0) uv_unref((uv_handle_t *)copy_async);
  if (r->c_limited) r->splice_left = r->c_limit_end - r->c_moved; /* for on_splice again */
}

/* Main side: stops r's copier and joins it. Returns the bytes it moved that onRead has not
 * heard of (counted as told from now on); its news not yet handled are dropped. */
static double copier_halt(pipe_reader *r) {
  if (!r->copying) return 0;
  pthread_mutex_lock(&copy_lock);
  r->c_stop = 1;
  pthread_mutex_unlock(&copy_lock);
  uint64_t one = 1;
  while (write(r->wake_fd, &one, sizeof one) < 0 && errno == EINTR) {
  }
  copier_joined(r);
  pthread_mutex_lock(&copy_lock);
  if (r->c_posted)
    for (pipe_reader **at = &post_list; *at; at = &(*at)->post_next)
      if (*at == r) {
        *at = r->post_next;
        break;
      }
  r->c_posted = 0; /* (a reader the post handler holds in its snapshot sees no news) */
  r->c_events = 0;
  pthread_mutex_unlock(&copy_lock);
  double late = r->c_moved - r->c_reported;
  r->c_reported = r->c_moved;
  return late;
}

/* Main side: the news of one reader's copier. */
static void copier_news(pipe_reader *r) {
  if (r->closing || !r->copying) return;
  pthread_mutex_lock(&copy_lock);
  int events = r->c_events;
  r->c_events = 0;
  double moved = r->c_moved;
  pthread_mutex_unlock(&copy_lock);
  if (events & COPY_EXITED) copier_joined(r);
  double n = moved - r->c_reported;
  r->c_reported = moved;
  int more = 1;
  if (n > 0) more = call_owner(r, n, 1, 1, 0);
  if (r->closing) return;
  if (events & (COPY_EOF | COPY_ERROR)) {
    /* as on_splice: reading stops; JS finishes, or reads again with pipeSplice(pipe, -1) (the
     * bytes the file refused are lost: onRead's 4th argument says how many) */
    r->reading = 0;
    call_owner(r, (events & COPY_EOF) ? UV_EOF : -r->c_errno, 1, 0, r->c_lost);
    return;
  }
  if (!more && r->reading) {
    r->reading = 0;
    double late = stop_active(r);
    /* told too, in case JS wants more after all (a pipeStart during the call wins) */
    if (late > 0 && call_owner(r, late, 1, 1, 0) && !r->closing && !r->reading && start_active(r) == 0) r->reading = 1;
  } else if ((events & COPY_EXITED) && !r->copying && r->reading && r->splice_fd >= 0) {
    uv_poll_start(r->poll, UV_READABLE, on_splice); /* idle: the poll watches the pipe again */
  }
}

static void on_copier_post(uv_async_t *h) {
  /* a snapshot: a callback may close, halt or restart any reader, and a copier post again */
  pipe_reader *batch[64];
  for (;;) {
    int k = 0;
    pthread_mutex_lock(&copy_lock);
    while (post_list && k < 64) {
      pipe_reader *r = post_list;
      post_list = r->post_next;
      r->c_posted = 0;
      batch[k++] = r;
    }
    pthread_mutex_unlock(&copy_lock);
    if (k == 0) return;
    for (int i = 0; i < k; i++) copier_news(batch[i]);
  }
}

/* Main side, from on_splice: a copier takes r's pipe over; false when none could be had. */
static int copier_start(pipe_reader *r) {
  if (copiers >= MAX_COPIERS) return 0;
  struct uv_loop_s *loop;
  napi_get_uv_event_loop(r->env, &loop);
  if (!copy_async) {
    uv_async_t *a = calloc(1, uv_handle_size(UV_ASYNC));
    if (!a || uv_async_init(loop, a, on_copier_post) != 0) {
      free(a);
      return 0;
    }
    uv_unref((uv_handle_t *)a);
    copy_async = a;
  }
  int wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake < 0) return 0;
  r->wake_fd = wake;
  r->c_stop = 0;
  r->c_fd = r->splice_fd;
  r->c_limited = r->limited;
  r->c_limit_end = r->limited ? r->splice_left : 0;
  r->c_moved = r->c_reported = 0;
  r->c_events = 0;
  r->c_errno = 0;
  r->c_lost = 0;
  r->c_pipe_was = 0;
  uv_poll_stop(r->poll);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 * 1024); /* its buffer is on the heap */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old); /* signals stay the main thread's */
  int err = pthread_create(&r->copier, &attr, copier_main, r);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  pthread_attr_destroy(&attr);
  if (err) {
    close(wake);
    r->wake_fd = -1;
    uv_poll_start(r->poll, UV_READABLE, on_splice);
    return 0;
  }
  r->copying = 1;
  if (copiers++ == 0) uv_ref((uv_handle_t *)copy_async);
  return 1;
}

static pipe_reader *reader_arg(napi_env env, napi_value v) {
  void *data = NULL;
  if (napi_get_value_external(env, v, &data) != napi_ok || !data) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a pipe from pipeOpen");
    return NULL;
  }
  return data;
}

static int set_buffer(napi_env env, pipe_reader *r, napi_value buffer) {
  bool is_buffer = false;
  napi_is_buffer(env, buffer, &is_buffer);
  void *base;
  size_t len;
  if (!is_buffer || napi_get_buffer_info(env, buffer, &base, &len) != napi_ok || len == 0) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "the read buffer must be a non-empty Buffer");
    return 0;
  }
  napi_ref ref;
  if (napi_create_reference(env, buffer, 1, &ref) != napi_ok) return 0;
  if (r->buffer) napi_delete_reference(env, r->buffer);
  r->buffer = ref;
  r->base = base;
  r->len = len;
  return 1;
}

static napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

static void free_env(napi_env env, void *data, void *hint) {
  pipe_env *e = data;
  if (e->on_read) napi_delete_reference(env, e->on_read);
  if (e->context) napi_async_destroy(env, e->context);
  free(e);
}

napi_value tsv_pipe_init(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value fn;
  napi_get_cb_info(env, info, &argc, &fn, NULL, NULL);
  napi_valuetype t;
  if (argc < 1 || napi_typeof(env, fn, &t) != napi_ok || t != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "pipeInit(onRead): onRead must be a function");
    return NULL;
  }
  pipe_env *e = NULL;
  napi_get_instance_data(env, (void **)&e);
  if (!e) {
    e = calloc(1, sizeof *e);
    if (!e) {
      napi_throw_error(env, NULL, "out of memory");
      return NULL;
    }
    napi_value resource, name;
    napi_create_object(env, &resource);
    napi_create_string_utf8(env, "tsv.PipeRead", NAPI_AUTO_LENGTH, &name);
    napi_async_init(env, resource, name, &e->context);
    napi_set_instance_data(env, e, free_env, NULL);
  }
  if (e->on_read) napi_delete_reference(env, e->on_read);
  napi_create_reference(env, fn, 1, &e->on_read);
  return undefined(env);
}

napi_value tsv_pipe_open(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  pipe_env *e = NULL;
  napi_get_instance_data(env, (void **)&e);
  if (!e || !e->on_read) {
    napi_throw_error(env, NULL, "pipeOpen before pipeInit");
    return NULL;
  }
  int32_t fd = -1;
  napi_valuetype t;
  if (argc < 3 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0 ||
      napi_typeof(env, argv[1], &t) != napi_ok || t != napi_object) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "pipeOpen(fd, owner, buffer)");
    return NULL;
  }
  /* epoll refuses files and most devices, and libuv aborts on that: pipes and sockets only */
  struct stat st;
  if (fstat(fd, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
    char msg[96];
    snprintf(msg, sizeof msg, "pipeOpen: fd %d is not a pipe or socket", (int)fd);
    napi_throw_error(env, "ERR_INVALID_FD_TYPE", msg);
    return NULL;
  }
  pipe_reader *r = calloc(1, HEADER_SIZE + uv_handle_size(UV_NAMED_PIPE));
  if (!r) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  r->env = env;
  r->shared = e;
  r->fd = fd;
  r->splice_fd = -1;
  r->go_fd = -1;
  r->wake_fd = -1;
  if (!set_buffer(env, r, argv[2])) {
    free(r);
    return NULL;
  }
  struct uv_loop_s *loop;
  napi_get_uv_event_loop(env, &loop);
  uv_pipe_t *h = handle_of(r);
  int err = uv_pipe_init(loop, h, 0);
  if (err) {
    drop_refs(r);
    free(r);
    throw_uv(env, "uv_pipe_init", err);
    return NULL;
  }
  uv_handle_set_data((uv_handle_t *)h, r);
  r->open_handles = 1;
  err = uv_pipe_open(h, fd);
  if (err) {
    /* the handle is initialised: it must be closed through libuv; the fd stays the caller's */
    r->finalized = 1;
    close_reader(r);
    throw_uv(env, "uv_pipe_open", err);
    return NULL;
  }
  napi_create_reference(env, argv[1], 1, &r->owner);
  napi_value external;
  if (napi_create_external(env, r, finalize_reader, NULL, &external) != napi_ok) {
    r->finalized = 1;
    close_reader(r);
    return NULL;
  }
  return external;
}

/* The reader in the call's first argument (and the second argument in *extra, when asked). */
static pipe_reader *reader_call(napi_env env, napi_callback_info info, napi_value *extra) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < (extra ? 2u : 1u)) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a pipe from pipeOpen");
    return NULL;
  }
  if (extra) *extra = argv[1];
  return reader_arg(env, argv[0]);
}

napi_value tsv_pipe_set_buffer(napi_env env, napi_callback_info info) {
  napi_value buffer;
  pipe_reader *r = reader_call(env, info, &buffer);
  if (!r) return NULL;
  if (!r->closing) set_buffer(env, r, buffer);
  return undefined(env);
}

napi_value tsv_pipe_start(napi_env env, napi_callback_info info) {
  pipe_reader *r = reader_call(env, info, NULL);
  if (!r) return NULL;
  if (r->in_callback) r->wanted = 1;
  if (!r->closing && !r->reading) {
    int err = start_active(r);
    if (err) {
      throw_uv(env, r->splice_fd >= 0 ? "uv_poll_start" : "uv_read_start", err);
      return NULL;
    }
    r->reading = 1;
  }
  return undefined(env);
}

static napi_value number(napi_env env, double n) {
  napi_value v;
  napi_create_double(env, n, &v);
  return v;
}

napi_value tsv_pipe_stop(napi_env env, napi_callback_info info) {
  pipe_reader *r = reader_call(env, info, NULL);
  if (!r) return NULL;
  if (r->in_callback) r->wanted = 0;
  double late = 0;
  if (!r->closing && r->reading) {
    r->reading = 0;
    late = stop_active(r);
  }
  return number(env, late);
}

napi_value tsv_pipe_close(napi_env env, napi_callback_info info) {
  pipe_reader *r = reader_call(env, info, NULL);
  if (!r) return NULL;
  double late = r->closing ? 0 : copier_halt(r);
  close_reader(r);
  return number(env, late);
}

napi_value tsv_pipe_splice(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd = -1;
  double limit = 0;
  bool flooding = false;
  if (argc >= 4) napi_get_value_bool(env, argv[3], &flooding);
  if (argc < 3 || napi_get_value_int32(env, argv[1], &fd) != napi_ok || napi_get_value_double(env, argv[2], &limit) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "pipeSplice(pipe, fd, limit)");
    return NULL;
  }
  pipe_reader *r = reader_arg(env, argv[0]);
  if (!r) return NULL;
  if (r->closing) return number(env, 0);
  if (fd < 0) fd = -1;
  int was = r->reading;
  double late = 0;
  int restart = 0;
  if (r->copying && fd != r->splice_fd) {
    late = copier_halt(r); /* a copier writes into one file; its poll was stopped */
    restart = was;
  } else if ((fd >= 0) != (r->splice_fd >= 0) && was) {
    stop_active(r); /* the other handle takes over */
    restart = 1;
  }
  if (fd >= 0 && !r->poll) {
    struct uv_loop_s *loop;
    napi_get_uv_event_loop(env, &loop);
    r->poll = calloc(1, uv_handle_size(UV_POLL));
    int err = r->poll ? uv_poll_init(loop, r->poll, r->fd) : (-ENOMEM);
    if (err) {
      free(r->poll);
      r->poll = NULL;
      if (was) start_active(r); /* still reading the ordinary way */
      throw_uv(env, "uv_poll_init", err);
      return NULL;
    }
    uv_handle_set_data((uv_handle_t *)r->poll, r);
    r->open_handles++;
  }
  r->splice_fd = fd;
  r->limited = fd >= 0 && limit > 0;
  r->splice_left = limit;
  r->flood_now = fd >= 0 && flooding && !r->copying;
  if (r->copying) {
    /* a new limit for the running copier, counted from what onRead has heard of */
    pthread_mutex_lock(&copy_lock);
    r->c_limited = r->limited;
    r->c_limit_end = r->c_reported + limit;
    pthread_mutex_unlock(&copy_lock);
    uint64_t one = 1;
    while (write(r->wake_fd, &one, sizeof one) < 0 && errno == EINTR) {
    }
  }
  if (restart) {
    int err = start_active(r);
    if (err) {
      r->reading = 0;
      throw_uv(env, "pipeSplice", err);
      return NULL;
    }
  }
  return number(env, late);
}

napi_value tsv_set_fd_append(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd = -1;
  bool on = false;
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || napi_get_value_bool(env, argv[1], &on) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "setFdAppend(fd, on)");
    return NULL;
  }
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, on ? flags | O_APPEND : flags & ~O_APPEND) < 0) {
    char msg[96];
    snprintf(msg, sizeof msg, "setFdAppend: fcntl(%d): %s", (int)fd, strerror(errno));
    napi_throw_error(env, "ERR_TSV_FCNTL", msg);
    return NULL;
  }
  return undefined(env);
}

napi_value tsv_pipe_go_on_newline(napi_env env, napi_callback_info info) {
  napi_value extra;
  pipe_reader *r = reader_call(env, info, &extra);
  if (!r) return NULL;
  int32_t fd = -1;
  if (napi_get_value_int32(env, extra, &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "pipeGoOnNewline(pipe, fd)");
    return NULL;
  }
  if (r->closing) {
    napi_throw_error(env, "ERR_TSV_PIPE", "pipeGoOnNewline: the pipe is closed");
    return NULL;
  }
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (copy < 0) {
    char msg[96];
    snprintf(msg, sizeof msg, "fcntl(F_DUPFD_CLOEXEC) fd %d: %s", (int)fd, strerror(errno));
    napi_throw_error(env, "ERR_TSV_PIPE", msg);
    return NULL;
  }
  if (r->go_fd >= 0) close(r->go_fd);
  r->go_fd = copy;
  r->go_fired = 0;
  return undefined(env);
}

napi_value tsv_pipe_go_cancel(napi_env env, napi_callback_info info) {
  pipe_reader *r = reader_call(env, info, NULL);
  if (!r) return NULL;
  int fired = r->go_fired;
  if (r->go_fd >= 0) close(r->go_fd);
  r->go_fd = -1;
  r->go_fired = 0;
  napi_value v;
  napi_get_boolean(env, fired, &v);
  return v;
}

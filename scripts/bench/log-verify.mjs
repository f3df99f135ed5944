// Checking what a log holds against log-producer's stream (64-byte lines that start with their
// own byte offset): which part of the stream the files hold, and how many bytes of that part are
// missing or doubled. Also: has the stream's last line reached the log yet (for polling).
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const LINE = 64;
const DIGITS = 12;
const TEXT = ' INFO GET /api/v1/items?page=3 200 1532 bytes 4.2ms\n';

/** The log and its backups, oldest first: name.N … name.1, name. */
export function logFiles(path) {
  const dir = dirname(path);
  const base = basename(path);
  const backups = readdirSync(dir)
    .map((n) => new RegExp(`^${base.replace(/[.]/g, '\\.')}\\.(\\d+)$`).exec(n))
    .filter(Boolean)
    .map((m) => ({ n: Number(m[1]), path: join(dir, m[0]) }))
    .sort((a, b) => b.n - a.n)
    .map((b) => b.path);
  return existsSync(path) ? [...backups, path] : backups;
}

/** Whether `path` ends with the stream's last line (the write of the last bytes has landed). */
function endsWithLastLine(path, size) {
  let fd;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    const len = fstatSync(fd).size;
    if (len < LINE) return false;
    const buf = Buffer.alloc(LINE);
    readSync(fd, buf, 0, LINE, len - LINE);
    return buf.toString('latin1', 0, DIGITS) === String(size - LINE).padStart(DIGITS, '0') && buf[LINE - 1] === 0x0a;
  } finally {
    closeSync(fd);
  }
}

/** The stream's last line is in the log (or in its first backup, if that write rotated it). */
export function complete(path, size) {
  return endsWithLastLine(path, size) || endsWithLastLine(`${path}.1`, size);
}

/**
 * When the stream's last line was written (the mtime of the file that ends with it, wall-clock
 * ms), or null while it is not there yet. Polling for it now and then and taking the time from
 * the file keeps the poller from disturbing the writer it measures.
 */
export function completedAt(path, size) {
  for (const p of [path, `${path}.1`]) if (endsWithLastLine(p, size)) return statSync(p).mtimeMs;
  return null;
}

/**
 * Reads the files in order as one byte stream and checks it line by line. The first line may
 * be partial (a rotated-away file cut it). Returns { start, end, missing, doubled, bad, bytes }:
 * the stream range held [start, end), bytes missing inside it, bytes seen twice, and lines that
 * are not the producer's at all.
 */
export function verify(files) {
  const r = { start: -1, end: 0, missing: 0, doubled: 0, bad: 0, bytes: 0 };
  let carry = Buffer.alloc(0);
  let first = true;
  let expect = -1;
  const chunk = Buffer.allocUnsafe(8 << 20);
  for (const file of files) {
    const fd = openSync(file, 'r');
    try {
      for (;;) {
        const n = readSync(fd, chunk, 0, chunk.length, null);
        if (n === 0) break;
        r.bytes += n;
        let data = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
        let at = 0;
        if (first) {
          // Skip to the first whole line (a partial head is fine: earlier bytes were rotated away).
          const nl = data.indexOf(0x0a);
          if (nl < 0) {
            carry = Buffer.from(data);
            continue;
          }
          at = nl + 1;
          const off = Number(data.toString('latin1', at, at + DIGITS));
          r.start = Number.isFinite(off) ? off - at : 0;
          expect = r.start + at;
          first = false;
        }
        for (; at + LINE <= data.length; at += LINE) {
          const off = Number(data.toString('latin1', at, at + DIGITS));
          if (!Number.isInteger(off) || data.toString('latin1', at + DIGITS, at + LINE) !== TEXT) {
            r.bad++;
            // resynchronise on the next newline
            const nl = data.indexOf(0x0a, at);
            if (nl < 0) break;
            at = nl + 1 - LINE;
            continue;
          }
          if (off > expect) r.missing += off - expect;
          else if (off < expect) r.doubled += expect - off;
          expect = off + LINE;
        }
        carry = Buffer.from(data.subarray(at));
      }
    } finally {
      closeSync(fd);
    }
  }
  if (carry.length) r.bad++;
  r.end = expect < 0 ? 0 : expect;
  if (r.start < 0) r.start = 0;
  return r;
}

/** Bytes lost: the missing end of the stream plus holes inside what the files hold. */
export function lostBytes(v, size, { fromStart }) {
  return (fromStart ? v.start : 0) + (size - v.end) + v.missing;
}

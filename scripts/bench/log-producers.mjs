// The programs whose output logs-throughput measures, each with how to tell that its whole stream
// reached the log and how many bytes of it were lost:
//   log-producer  the C producer (log-producer.c): 64-byte lines carrying their offset, 8 KiB writes
//   zeros         `head -c SIZE /dev/zero | tr '\0' x`: no newline at all, `tr` writes 4 KiB at a time
//   seq           `seq 1 999999999 | head -c SIZE`: short lines, 4 KiB writes from a pipeline
// The two shell pipelines are what users' programs look like: slower writers in small pieces, so a
// reader that keeps up wakes for every write (the issue-18 figures).
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, fstatSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { completedAt, lostBytes, verify } from './log-verify.mjs';

export const PRODUCER_NAMES = ['log-producer', 'zeros', 'seq'];

const TAIL = 64;

/** The last `n` bytes of `path` (fewer if it is shorter), or null when it does not exist. */
function lastBytes(path, n) {
  let fd;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const len = fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(n, len));
    readSync(fd, buf, 0, buf.length, len - buf.length);
    return buf;
  } finally {
    closeSync(fd);
  }
}

const sizeOf = (files) => files.reduce((n, f) => n + statSync(f).size, 0);

/** Bytes of `files` that are not `byte`, read 8 MiB at a time. */
function countOther(files, byte) {
  const chunk = Buffer.allocUnsafe(8 << 20);
  let other = 0;
  for (const f of files) {
    const fd = openSync(f, 'r');
    try {
      for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0; ) {
        for (let i = 0; i < n; i++) if (chunk[i] !== byte) other++;
      }
    } finally {
      closeSync(fd);
    }
  }
  return other;
}

/**
 * The producers, given the work dir, the stream's size and the compiled log-producer. Each:
 * { name, argv, shell (for `| cat`), complete(path, rotate): mtime ms or null, knowsEnd(rotate),
 * lost(files, rotate): { lost, onDisk } }. Where the end cannot be told from the log (`zeros`
 * with rotation: knowsEnd false) the run waits for the program to exit and the log to stop
 * changing.
 */
export function makeProducers(work, size, producerBin, names = PRODUCER_NAMES) {
  const script = (name, body) => {
    const path = join(work, `${name}.sh`);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };
  const all = {
    'log-producer': () => ({
      argv: [producerBin, String(size)],
      complete: (path) => completedAt(path, size), // the offset-tagged last line
      knowsEnd: () => true,
      lost: (files, rotate) => {
        const v = verify(files);
        return { lost: lostBytes(v, size, { fromStart: !rotate }) + v.doubled + v.bad * 64, onDisk: v.bytes };
      },
    }),
    zeros: () => {
      const path = script('zeros', `head -c ${size} /dev/zero | tr '\\0' x`);
      return {
        argv: [path],
        tail: Buffer.alloc(TAIL, 'x'),
        byTail: false, // every tail looks alike: the size tells (no rotation), or exit + a quiet log
        knowsEnd: (rotate) => !rotate,
        lost: (files, rotate) => {
          const onDisk = sizeOf(files);
          return { lost: countOther(files, 0x78) + (rotate ? 0 : Math.abs(size - onDisk)), onDisk };
        },
      };
    },
    seq: () => {
      const body = `seq 1 999999999 | head -c ${size}`;
      const path = script('seq', body);
      const tail = spawnSync('sh', ['-c', `${body} | tail -c ${TAIL}`], { maxBuffer: 1 << 20 }).stdout;
      return {
        argv: [path],
        tail,
        byTail: true, // the numbers grow: the stream's last 64 bytes occur once
        knowsEnd: () => true,
        lost: (files, rotate) => {
          const onDisk = sizeOf(files);
          // the retained files, one after another, must be the stream's last onDisk bytes
          const cmp = spawnSync('bash', ['-c', `cmp -s <(cat "$@") <(${body} | tail -c ${onDisk})`, 'cmp', ...files]);
          return { lost: (cmp.status === 0 ? 0 : onDisk) + (rotate ? 0 : Math.abs(size - onDisk)), onDisk };
        },
      };
    },
  };
  return names.map((name) => {
    const p = { name, ...all[name]() };
    p.shell = p.argv.map((a) => `'${a}'`).join(' ');
    if (p.tail) {
      /** When the stream's end reached `path` (or `.1`): its mtime, or null. */
      p.complete = (path, rotate) => {
        for (const f of [path, `${path}.1`]) {
          const last = lastBytes(f, TAIL);
          if (!last || !last.equals(p.tail)) continue;
          if (!p.byTail && (rotate || !existsSync(f) || statSync(f).size !== size)) continue;
          return statSync(f).mtimeMs;
        }
        return null;
      };
    }
    return p;
  });
}

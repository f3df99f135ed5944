/** What a process costs, from /proc: resident memory and CPU time. */
import { readFileSync } from 'node:fs';

/** VmRSS of `pid` in KiB (0 if gone). */
export function rssKb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** CPU time (user + system) of `pid` in milliseconds, from /proc/<pid>/stat (USER_HZ = 100). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The parent pid and state letter of `pid`, or undefined if it is gone. */
export function statOf(pid: number): { ppid: number; state: string; pgrp: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, ppid: Number(fields[1]), pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

/** Samples a value every `everyMs` until stopped; returns the samples. */
export function sampler(read: () => number, everyMs = 100): { stop(): number[]; max(): number } {
  const samples: number[] = [read()];
  // Unref'd: a sampler a failed test never stopped must not keep its test file running.
  const timer = setInterval(() => samples.push(read()), everyMs).unref();
  return {
    stop() {
      clearInterval(timer);
      samples.push(read());
      return samples;
    },
    max: () => Math.max(...samples),
  };
}

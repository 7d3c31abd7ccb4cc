// Resident memory of a process, sampled from /proc/<pid>/status while the load runs.
import { readFileSync } from 'node:fs';

/** VmRSS of `pid` in KiB, or undefined when the process is gone or /proc is not there. */
export function rssKib(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

export interface Sample {
  /** ms since the sampler started. */
  at: number;
  kib: number;
}

export interface Sampler {
  samples: Sample[];
  /** The highest sample so far, in KiB (0 before any). */
  peak(): number;
  stop(): void;
}

/** Samples `pid`'s RSS every `everyMs` until stopped. */
export function sampleRss(pid: number, everyMs = 100): Sampler {
  const started = Date.now();
  const samples: Sample[] = [];
  const take = (): void => {
    const kib = rssKib(pid);
    if (kib !== undefined) samples.push({ at: Date.now() - started, kib });
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    samples,
    peak: () => samples.reduce((max, s) => Math.max(max, s.kib), 0),
    stop: () => clearInterval(timer),
  };
}

export const mib = (kib: number): string => `${(kib / 1024).toFixed(1)} MiB`;

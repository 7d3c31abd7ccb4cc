// CPU time of the bench's processes, read from Linux /proc: per thread in nanoseconds, per process in clock ticks.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime: USER_HZ, 100 on every Linux ABI Node runs on. */
const USER_HZ = 100;

/** CPU time one process had used when it was read. */
export interface CpuReading {
  /** Each live thread's time on a CPU (first field of /proc/<pid>/task/<tid>/schedstat), ns, by thread id. */
  threadsNs: Map<number, number>;
  /** utime + stime of /proc/<pid>/stat in clock ticks: coarse, but it keeps the time of threads that have exited. */
  ticks: number;
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses): [0] is field 3, `state`. */
export function statFields(stat: string): string[] {
  return stat
    .slice(stat.lastIndexOf(')') + 2)
    .trim()
    .split(' ');
}

/** The command name of a /proc/<pid>/stat line (between the first `(` and the last `)`). */
export function statCommand(stat: string): string {
  return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
}

/** utime + stime (fields 14 and 15) of a /proc/<pid>/stat line, in clock ticks. */
export function statTicks(stat: string): number {
  const fields = statFields(stat);
  return Number(fields[11]) + Number(fields[12]);
}

/** Reads one process's CPU time; undefined when /proc cannot tell (not Linux, or the process is gone). */
export function readCpu(pid: number): CpuReading | undefined {
  try {
    const ticks = statTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const threadsNs = new Map<number, number>();
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
        if (Number.isFinite(ns)) threadsNs.set(Number(tid), ns);
      } catch {
        // The thread exited between the listing and the read: its time is in `ticks` only.
      }
    }
    return { ticks, threadsNs };
  } catch {
    return undefined;
  }
}

/**
 * CPU milliseconds between two readings of one process: the sum over the threads alive at `to` of
 * their time since `from` (a thread born in between counts whole). A thread that exited in between
 * loses its last stretch here; `ticksMs` keeps it, so the two are compared over a whole run.
 */
export function cpuMs(from: CpuReading, to: CpuReading): number {
  let ns = 0;
  for (const [tid, now] of to.threadsNs) ns += now - (from.threadsNs.get(tid) ?? 0);
  return ns / 1e6;
}

/** CPU milliseconds between two readings from utime + stime: 10 ms steps, threads that exited included. */
export function ticksMs(from: CpuReading, to: CpuReading): number {
  return ((to.ticks - from.ticks) * 1000) / USER_HZ;
}

/** The pids of the running children of `parent` whose command name is `command` (a scan of /proc). */
export function childPids(parent: number, command: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (statCommand(stat) === command && Number(statFields(stat)[1]) === parent) out.push(Number(entry));
    } catch {
      // Gone since the listing.
    }
  }
  return out.sort((a, b) => a - b);
}

/** One reading of every watched process, by role (`generator`, `mock`, `host`, an instance name). */
export type CpuSnapshot = Map<string, CpuReading>;

/** CPU milliseconds per role between two snapshots (roles read in both only). */
export function snapshotMs(from: CpuSnapshot, to: CpuSnapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [role, end] of to) {
    const start = from.get(role);
    if (start !== undefined) out[role] = cpuMs(start, end);
  }
  return out;
}

/** Reads the CPU time of a fixed set of processes, named by role, in one go. */
export class CpuMeter {
  private readonly pids: Readonly<Record<string, number>>;

  constructor(pids: Readonly<Record<string, number>>) {
    this.pids = pids;
  }

  /** Whether /proc answers for this process at all (false off Linux): then no CPU figures are reported. */
  available(): boolean {
    return readCpu(process.pid) !== undefined;
  }

  /** Every watched process's reading now; a process /proc cannot read is left out. */
  snapshot(): CpuSnapshot {
    const out: CpuSnapshot = new Map();
    for (const [role, pid] of Object.entries(this.pids)) {
      const reading = readCpu(pid);
      if (reading !== undefined) out.set(role, reading);
    }
    return out;
  }
}

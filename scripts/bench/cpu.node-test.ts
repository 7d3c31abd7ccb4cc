// Tests reading CPU time from /proc: the stat line's awkward command names, per-thread sums, children by parent. Runs in Node.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CpuMeter, type CpuReading, childPids, cpuMs, readCpu, snapshotMs, statCommand, statFields, statTicks, ticksMs } from './cpu.ts';

// Fields 1-17 of a /proc/<pid>/stat line whose command name holds a space and a parenthesis; utime 250, stime 40.
const STAT = '4242 (work (er) d) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 40 0 0 20';

const reading = (ticks: number, threads: [number, number][]): CpuReading => ({ ticks, threadsNs: new Map(threads) });
const onLinux = process.platform === 'linux';

describe('parsing /proc/<pid>/stat', () => {
  it('reads the command name between the first ( and the last )', () => {
    expect(statCommand(STAT)).toBe('work (er) d');
  });

  it('numbers the fields after the command from state on, so the parent is [1]', () => {
    expect(statFields(STAT).slice(0, 2)).toEqual(['S', '17']);
  });

  it('adds utime and stime', () => {
    expect(statTicks(STAT)).toBe(290);
  });
});

describe('cpuMs', () => {
  it('sums each thread since the earlier reading and counts a thread born in between whole', () => {
    const from = reading(10, [
      [1, 5_000_000],
      [2, 1_000_000],
    ]);
    const to = reading(12, [
      [1, 7_000_000],
      [2, 1_500_000],
      [3, 250_000],
    ]);
    expect(cpuMs(from, to)).toBeCloseTo(2 + 0.5 + 0.25, 9);
  });

  it('leaves out a thread that exited, which only the tick counter keeps', () => {
    const from = reading(10, [
      [1, 5_000_000],
      [2, 9_000_000],
    ]);
    const to = reading(13, [[1, 6_000_000]]);
    expect(cpuMs(from, to)).toBeCloseTo(1, 9);
    expect(ticksMs(from, to)).toBe(30);
  });
});

describe('snapshotMs', () => {
  it('reports only the roles read in both snapshots', () => {
    const from = new Map([['a', reading(0, [[1, 0]])]]);
    const to = new Map([
      ['a', reading(0, [[1, 3_000_000]])],
      ['b', reading(0, [[1, 1_000_000]])],
    ]);
    expect(snapshotMs(from, to)).toEqual({ a: 3 });
  });
});

describe.runIf(onLinux)('on Linux', () => {
  it('reads this process, whose CPU time grows while it spins', () => {
    const before = readCpu(process.pid) as CpuReading;
    const until = performance.now() + 30;
    while (performance.now() < until) Math.sqrt(Math.random());
    const after = readCpu(process.pid) as CpuReading;
    expect(cpuMs(before, after)).toBeGreaterThan(15);
  });

  it('answers undefined for a process that does not exist', () => {
    expect(readCpu(2 ** 22 + 1)).toBeUndefined();
  });

  it('finds a spawned child by its parent and command name', async () => {
    const child = spawn('sleep', ['5']);
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(childPids(process.pid, 'sleep')).toContain(child.pid);
    } finally {
      child.kill();
      await once(child, 'exit');
    }
  });

  it('snapshots every watched role, leaving out one it cannot read', () => {
    const meter = new CpuMeter({ self: process.pid, gone: 2 ** 22 + 1 });
    expect(meter.available()).toBe(true);
    expect([...meter.snapshot().keys()]).toEqual(['self']);
  });
});

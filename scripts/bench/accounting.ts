// Checks on the CPU figures: how much of each workerd's time fell outside its own targets' slices, and both /proc counters agreeing.
import { type CpuSnapshot, snapshotMs, ticksMs } from './cpu.ts';
import type { Slice } from './interleave.ts';
import type { Target } from './rows.ts';

/**
 * Where each workerd process's CPU time went: in the slices of the targets on it (which their
 * figures count) or in other targets' slices (background work that outlived a slice and its
 * settle time, idle timers: counted by no figure, so reported here).
 */
export class CpuAccounting {
  private readonly own = new Map<string, number>();
  private readonly all = new Map<string, number>();

  /** Adds one target's slices of one phase. */
  add(target: Target, slices: readonly Slice[]): void {
    for (const slice of slices) {
      for (const [role, ms] of Object.entries(slice.cpuMs ?? {})) {
        this.all.set(role, (this.all.get(role) ?? 0) + ms);
        if (role === target.instance) this.own.set(role, (this.own.get(role) ?? 0) + ms);
      }
    }
  }

  /** Per workerd instance: CPU ms outside its own slices, and as a share of its total; empty without readings. */
  outside(): string[] {
    const out: string[] = [];
    for (const [role, own] of this.own) {
      const total = this.all.get(role) ?? own;
      const rest = total - own;
      out.push(`${role} ${rest.toFixed(0)} ms (${total > 0 ? ((rest / total) * 100).toFixed(2) : '0'}%)`);
    }
    return out;
  }
}

/**
 * Both counters of every process over the whole measured part: the per-thread nanoseconds the
 * figures use (threads alive at the end) against utime + stime (10 ms steps, exited threads
 * included). Far apart would mean threads came and went and took CPU time with them.
 */
export function counterCheck(from: CpuSnapshot, to: CpuSnapshot): string[] {
  const threads = snapshotMs(from, to);
  const out: string[] = [];
  for (const [role, end] of to) {
    const start = from.get(role);
    if (start === undefined) continue;
    out.push(`${role} ${(threads[role] ?? 0).toFixed(0)} vs ${ticksMs(start, end).toFixed(0)} ms`);
  }
  return out;
}

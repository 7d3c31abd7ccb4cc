// Tests the per-round figures: spreads, comparisons paired by round, verdicts, the layer-cost rows, CPU accounting. Runs in Node.
import { describe, expect, it } from 'vitest';
import { CpuAccounting } from './accounting.ts';
import { addedCpu, addedP50, formatSpread, mark, pairedSpread, throughputRatio, verdict } from './compare.ts';
import { versusRows } from './headlines.ts';
import type { Slice } from './interleave.ts';
import { LAYERS, layerRows } from './layers.ts';
import { ciPercent } from './method.ts';
import { cpuPerRequest, type RoundFigures, type Row, sumCpu, type Target, type TargetId } from './rows.ts';
import { spreadOf } from './stats.ts';

const target = (id: TargetId, instance?: Target['instance']): Target => ({
  id,
  label: `(${id})`,
  runtime: 'test',
  origin: 'http://127.0.0.1:1',
  ...(instance === undefined ? {} : { instance }),
});

const round = (p50: number, rps: number, workerd?: number): RoundFigures => ({
  requests: 100,
  rps,
  p50,
  p99: p50 * 3,
  ttftP50: undefined,
  cpu: workerd === undefined ? undefined : { workerd, host: 0, mock: 0, generator: 0 },
});

function row(id: TargetId, concurrency: number, rounds: RoundFigures[]): Row {
  return {
    target: target(id),
    stream: false,
    concurrency,
    requests: 100 * rounds.length,
    errors: 0,
    errorSamples: [],
    rps: 0,
    latency: { p50: 0, p99: 0, mean: 0, max: 0 },
    ttft: undefined,
    cpu: undefined,
    rounds,
  };
}

const slice = (cpuMs: Record<string, number> | undefined): Slice => ({
  result: {
    requests: 10,
    ok: 10,
    errors: 0,
    errorSamples: [],
    elapsedMs: 100,
    rps: 100,
    latency: new Float64Array(0),
    ttft: new Float64Array(0),
  },
  cpuMs,
});

describe('spreadOf', () => {
  it.each([
    { values: [3, 1, 2], median: 2, min: 1, max: 3 },
    { values: [4, 1, 3, 2], median: 2.5, min: 1, max: 4 },
    { values: [5, undefined, Number.NaN, 1, 3], median: 3, min: 1, max: 5 },
  ])('gives median $median and range [$min, $max] of $values', ({ values, median, min, max }) => {
    expect(spreadOf(values)).toMatchObject({ median, min, max });
  });

  it('has nothing to say without a finite value', () => {
    expect(spreadOf([undefined, Number.NaN])).toBeUndefined();
  });

  it.each([
    { n: 5, percent: '93.8' },
    { n: 7, percent: '98.4' },
  ])('states that [min, max] of $n independent rounds holds the median with $percent% confidence', ({ n, percent }) => {
    expect(ciPercent(n)).toBe(percent);
  });
});

describe('pairedSpread', () => {
  it('compares round r of one row with round r of the other, not medians with medians', () => {
    // The rounds drift together: the paired difference stays 0.1 although the rows' own ranges overlap widely.
    const on = row('c', 1, [round(2.1, 90), round(3.1, 63), round(2.6, 72)]);
    const off = row('f', 1, [round(2.0, 100), round(3.0, 70), round(2.5, 80)]);
    const added = pairedSpread(on, off, addedP50);
    expect(added?.median).toBeCloseTo(0.1, 9);
    expect((added?.max ?? 0) - (added?.min ?? 0)).toBeCloseTo(0, 9);
    expect(pairedSpread(on, off, throughputRatio)?.median).toBeCloseTo(0.9, 9);
  });

  it('skips rounds without a CPU reading', () => {
    const on = row('c', 1, [round(2, 1, 1.5), round(2, 1)]);
    const off = row('b', 1, [round(1, 1, 1.0), round(1, 1)]);
    expect(pairedSpread(on, off, addedCpu)).toMatchObject({ median: 0.5, n: 1 });
  });
});

describe('verdicts', () => {
  it.each([
    { spread: { median: 0.05, min: 0.02, max: 0.08 }, limit: 0.1, atMost: true, text: 'PASS' },
    { spread: { median: 0.05, min: 0.02, max: 0.3 }, limit: 0.1, atMost: true, text: 'PASS (range crosses it)' },
    { spread: { median: 0.8, min: 0.75, max: 0.82 }, limit: 0.85, atMost: false, text: 'MISS' },
    { spread: { median: 0.8, min: 0.7, max: 0.9 }, limit: 0.85, atMost: false, text: 'MISS (range crosses it)' },
  ])('marks median $spread.median against $limit as $text', ({ spread, limit, atMost, text }) => {
    expect(mark(verdict({ ...spread, n: 5 }, limit, atMost))).toBe(text);
  });

  it('prints n/a when the figure is unknown', () => {
    expect(mark(verdict(undefined, 1, true))).toBe('n/a');
  });

  it('prints a spread as median [min, max], and a single round alone', () => {
    expect(formatSpread({ median: 0.6512, min: 0.6, max: 0.7, n: 7 }, 1, 100, '%')).toBe('65.1% [60.0, 70.0]');
    expect(formatSpread({ median: 1.5, min: 1.5, max: 1.5, n: 1 })).toBe('1.50');
  });
});

describe('layerRows', () => {
  it('reports a layer measured on both sides, with its added p50, CPU and throughput, and leaves out the rest', () => {
    const rows = [
      row('i', 1, [round(2.2, 90, 1.3), round(2.3, 88, 1.4), round(2.1, 92, 1.2)]),
      row('h', 1, [round(2.0, 100, 1.0), round(2.0, 100, 1.0), round(2.0, 100, 1.0)]),
      row('i', 16, [round(20, 450, 0.7), round(20, 460, 0.8), round(20, 440, 0.6)]),
      row('h', 16, [round(18, 500, 0.5), round(18, 500, 0.5), round(18, 500, 0.5)]),
    ];
    const out = layerRows(rows);
    expect(out).toHaveLength(1);
    const budgets = LAYERS.find((l) => l.on === 'i');
    expect(out[0]).toEqual([
      'budgets',
      budgets?.how,
      '0.20 [0.10, 0.30]',
      '0.300 [0.200, 0.400]',
      '0.200 [0.100, 0.300]',
      '90.0% [88.0, 92.0]',
      '< 1 ms (issue 15)',
      'PASS',
    ]);
  });
});

describe('versusRows', () => {
  it('gives one line per phase that has both the proxy and the forwarder', () => {
    const rows = [row('c', 64, [round(60, 800, 0.9)]), row('b', 64, [round(50, 1000, 0.6)]), row('c', 16, [round(20, 700)])];
    expect(versusRows(rows)).toEqual([['non-streaming', '64', '80.0', '10.00', '30.00', '—', '0.600', '0.900', '0.300']]);
  });
});

describe('CPU per request and accounting', () => {
  it('divides the target own workerd and the shared processes by the slice requests', () => {
    const cpu = cpuPerRequest(target('c', 'proxy'), { proxy: 20, forwarder: 5, host: 1, mock: 4, generator: 2 }, 10);
    expect(cpu).toEqual({ workerd: 2, host: 0.1, mock: 0.4, generator: 0.2 });
    expect(cpuPerRequest(target('a'), { host: 1, mock: 4, generator: 2 }, 10)?.workerd).toBeUndefined();
  });

  it('sums slices, and knows nothing when one slice has no reading', () => {
    expect(sumCpu([slice({ proxy: 1 }), slice({ proxy: 2, host: 1 })])).toEqual({ proxy: 3, host: 1 });
    expect(sumCpu([slice({ proxy: 1 }), slice(undefined)])).toBeUndefined();
  });

  it('counts what a workerd spent in other targets slices as outside its own', () => {
    const accounting = new CpuAccounting();
    accounting.add(target('c', 'proxy'), [slice({ proxy: 99, forwarder: 0 })]);
    accounting.add(target('b', 'forwarder'), [slice({ proxy: 1, forwarder: 50 })]);
    expect(accounting.outside()).toEqual(['proxy 1 ms (1.00%)', 'forwarder 0 ms (0.00%)']);
  });
});

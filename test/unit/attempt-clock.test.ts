// AttemptClock: phase deadlines, and `touch`, which moves the idle deadline on per event without re-arming a timer each time.
import { describe, expect, it } from 'vitest';
import { AttemptClock } from '../../src/upstream/clock.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('AttemptClock', () => {
  it('times a phase out once its deadline passes, and aborts the attempt', async () => {
    const clock = new AttemptClock();
    clock.setPhase('idle', 30);
    await sleep(80);
    expect(clock.timedOut).toBe('idle');
    expect(clock.signal.aborted).toBe(true);
  });

  it('moves the deadline on with each touch, so a phase touched in time never times out', async () => {
    const clock = new AttemptClock();
    clock.setPhase('idle', 60);
    for (let i = 0; i < 6; i++) {
      await sleep(25);
      clock.touch('idle', 60);
    }
    expect(clock.timedOut).toBeUndefined();
    await sleep(150);
    expect(clock.timedOut).toBe('idle');
    clock.stop();
  });

  it('starts a new phase on a touch of another phase or length', async () => {
    const clock = new AttemptClock();
    clock.setPhase('first_token', 1000);
    clock.touch('idle', 30);
    await sleep(80);
    expect(clock.timedOut).toBe('idle');
  });

  it('fires nothing after stop', async () => {
    const clock = new AttemptClock();
    clock.setPhase('idle', 20);
    clock.touch('idle', 20);
    clock.stop();
    await sleep(60);
    expect(clock.timedOut).toBeUndefined();
    expect(clock.signal.aborted).toBe(false);
  });
});

/**
 * closeWithin: the last step of a drain ends, whether the pools close, fail to, or never answer.
 */
import { describe, expect, it } from 'vitest';
import { closeWithin } from '../../src/repo/close-within.js';

function recorder() {
  const warnings: unknown[][] = [];
  return { warnings, logger: { warn: (...args: unknown[]) => void warnings.push(args) } };
}

describe('closeWithin', () => {
  it('waits for a close that finishes, and says nothing', async () => {
    const { warnings, logger } = recorder();
    let closed = false;
    await closeWithin(async () => void (closed = true), logger as never, 1000);
    expect(closed).toBe(true);
    expect(warnings).toEqual([]);
  });

  it('gives up on a close that never finishes, after its bound, and says so', async () => {
    const { warnings, logger } = recorder();
    const started = performance.now();
    await closeWithin(() => new Promise(() => {}), logger as never, 50);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(String(warnings[0]?.[1])).toMatch(/did not close in time/);
  });

  it('resolves when the close fails, and logs why', async () => {
    const { warnings, logger } = recorder();
    await closeWithin(() => Promise.reject(new Error('pool gone')), logger as never, 1000);
    expect(String(warnings[0]?.[1])).toMatch(/closing the pools failed/);
  });
});

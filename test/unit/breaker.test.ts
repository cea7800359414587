/**
 * RepoBreaker's transitions: closed → open after `failures` unreachable errors → half-open when
 * the cooldown ends → closed once its own probe answers (or open again when it does not).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ForbiddenError, RepoUnavailableError } from '../../src/errors.js';
import { RepoBreaker, type BreakerState } from '../../src/repo/breaker.js';

const cooldownMs = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Lets a settled probe's outcome reach the breaker (its promise chain runs before this). */
const settled = () => new Promise((resolve) => setImmediate(resolve));

/** A fake probe (the real one is SELECT 1) that can be awaited: `called()` resolves at its next call. */
function probeAnswering(answer: () => Promise<unknown>) {
  let count = 0;
  let onCall = () => {};
  return {
    run: () => {
      count++;
      onCall();
      return answer();
    },
    called: () => new Promise<void>((resolve) => (onCall = resolve)),
    count: () => count,
  };
}

const breakers: RepoBreaker[] = [];
afterEach(() => {
  for (const breaker of breakers.splice(0)) breaker.shutdown();
});

function breakerWith(probe: () => Promise<unknown> = () => Promise.resolve()): RepoBreaker {
  const breaker = new RepoBreaker('legacy', { failures: 3, cooldownMs }, probe);
  breakers.push(breaker);
  return breaker;
}

/** Runs `times` calls that fail with `error`, and reports the state after each. */
async function failWith(breaker: RepoBreaker, error: Error, times: number): Promise<BreakerState[]> {
  const states: BreakerState[] = [];
  for (let i = 0; i < times; i++) {
    await breaker.run(() => Promise.reject(error)).catch(() => {});
    states.push(breaker.state);
  }
  return states;
}

describe('RepoBreaker', () => {
  it('starts closed and passes results through', async () => {
    const breaker = breakerWith();
    expect([breaker.state, await breaker.run(() => Promise.resolve(42))]).toEqual(['closed', 42]);
  });

  it('opens on the `failures`-th unreachable error, not before', async () => {
    expect(await failWith(breakerWith(), new RepoUnavailableError('legacy'), 3)).toEqual(['closed', 'closed', 'open']);
  });

  it('stays closed on errors that are not about reachability', async () => {
    expect(await failWith(breakerWith(), new ForbiddenError(), 5)).toEqual(['closed', 'closed', 'closed', 'closed', 'closed']);
  });

  it('while open, refuses calls with REPO_UNAVAILABLE without running them', async () => {
    const breaker = breakerWith();
    await failWith(breaker, new RepoUnavailableError('legacy'), 3);
    let ran = false;
    const refused = breaker.run(async () => {
      ran = true;
    });
    await expect(refused).rejects.toEqual(new RepoUnavailableError('legacy'));
    expect({ ran, rejected: breaker.rejected }).toEqual({ ran: false, rejected: 1 });
  });

  it('goes half-open when the cooldown ends', async () => {
    const breaker = breakerWith(() => new Promise(() => {}));
    await failWith(breaker, new RepoUnavailableError('legacy'), 3);
    await sleep(cooldownMs + 10);
    expect(breaker.state).toEqual('half-open');
  });

  it('closes after the cooldown once its own probe answers, with no traffic', async () => {
    const probe = probeAnswering(() => Promise.resolve());
    const breaker = breakerWith(probe.run);
    await failWith(breaker, new RepoUnavailableError('legacy'), 3);
    await probe.called();
    await settled();
    expect(breaker.state).toEqual('closed');
  });

  it('opens again when its probe fails, and probes again after another cooldown', async () => {
    const probe = probeAnswering(() => Promise.reject(new RepoUnavailableError('legacy')));
    const breaker = breakerWith(probe.run);
    await failWith(breaker, new RepoUnavailableError('legacy'), 3);
    await probe.called();
    await settled();
    const afterFirstProbe = breaker.state;
    await probe.called();
    expect([afterFirstProbe, probe.count()]).toEqual(['open', 2]);
  });
});

/**
 * TEST HOOK, not an operator feature: `REPOGATE_MOVE_CRASH_AT=<point>` (or `<point>@<source>`)
 * makes the mover SIGKILL itself at that point of the first month it processes (of that source),
 * so test/move.test.ts can prove that a rerun ends with every row exactly once whatever step a
 * kill hit. SIGKILL, not an exception: no finally block, no ROLLBACK, no socket shutdown — what
 * an OOM kill or a pulled plug leaves.
 */
export const crashPoints = ['before-copy', 'mid-copy', 'after-copy', 'after-verify', 'mid-drop'] as const;
export type CrashPoint = (typeof crashPoints)[number];

export interface CrashSpec {
  point: CrashPoint;
  /** Only this source's first month (`telemetry`, `main/acme`); any source's when absent. */
  source?: string;
}

/** The hook's setting, or a message saying what is wrong with it. */
export function parseCrashSpec(value: string | undefined): CrashSpec | undefined {
  if (value === undefined || value === '') return undefined;
  const [point, source] = value.split('@', 2) as [string, string | undefined];
  if (!(crashPoints as readonly string[]).includes(point) || source === '') {
    throw new TypeError(`REPOGATE_MOVE_CRASH_AT (a test hook) must be one of ${crashPoints.join(', ')}, optionally @<source>; got ${value}`);
  }
  return { point: point as CrashPoint, ...(source !== undefined && { source }) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class CrashHook {
  /** The (source, month) the hook applies to, once the first matching month has started. */
  private target: string | undefined;

  constructor(private readonly spec: CrashSpec | undefined) {}

  /** Called as each month's work starts; the first one (of the spec's source) becomes the target. */
  startMonth(source: string, month: string): void {
    if (!this.spec || this.target !== undefined) return;
    if (this.spec.source === undefined || this.spec.source === source) this.target = `${source} ${month}`;
  }

  armed(point: CrashPoint, source: string, month: string): boolean {
    return this.spec?.point === point && this.target === `${source} ${month}`;
  }

  at(point: CrashPoint, source: string, month: string): void {
    if (this.armed(point, source, month)) crash(point);
  }

  /**
   * mid-drop of a step that runs a while (DETACH … CONCURRENTLY): dies once `work` has finished
   * or `graceMs` has passed, whichever is first — started, but not followed by what comes next.
   */
  async during(point: CrashPoint, source: string, month: string, work: Promise<unknown>, graceMs = 500): Promise<void> {
    if (!this.armed(point, source, month)) return;
    await Promise.race([work.catch(() => undefined), sleep(graceMs)]);
    crash(point);
  }
}

/** `detail` says where exactly (mid-copy: how many rows had streamed), for the test to check. */
export function crash(point: CrashPoint, detail = ''): never {
  process.stderr.write(`move: test hook REPOGATE_MOVE_CRASH_AT=${point}: SIGKILL${detail && ` (${detail})`}\n`);
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL is not delivered synchronously on every platform; nothing may run after this point.
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
}

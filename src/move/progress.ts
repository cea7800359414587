/**
 * What the mover shows while it copies: on a terminal a cli-progress bar with rows/s, in a log
 * (CI, cron, a pipe) a plain line every few seconds. cli-progress is loaded when a terminal
 * wants it, and a production install without it (it is a dev dependency) falls back to lines.
 */
export interface MoveProgress {
  /** A bar wants the planner's estimate of a month's rows for its length; lines do not. */
  wantsEstimates: boolean;
  /** A line between copies (never while a bar is drawn). */
  log(line: string): void;
  copyStarted(label: string, estimatedRows: number | undefined): void;
  copyRows(rows: number): void;
  copyDone(): void;
}

const LINE_EVERY_MS = 5_000;

interface Bar {
  start(total: number, value: number, payload: Record<string, unknown>): void;
  update(value: number, payload: Record<string, unknown>): void;
  setTotal(total: number): void;
  stop(): void;
}

export async function createProgress(write: (text: string) => void = (text) => process.stdout.write(text), terminal = process.stdout.isTTY === true): Promise<MoveProgress> {
  const makeBar = terminal ? await loadBar() : undefined;
  let label = '';
  let started = 0;
  let lastLine = 0;
  let total = 0;
  let bar: Bar | undefined;
  const rate = (rows: number) => {
    const seconds = (performance.now() - started) / 1000;
    return seconds > 0 ? Math.round(rows / seconds).toLocaleString('en') : '-';
  };
  return {
    wantsEstimates: makeBar !== undefined,
    log: (line) => write(`${line}\n`),
    copyStarted(name, estimatedRows) {
      label = name;
      started = performance.now();
      lastLine = started;
      total = Math.max(1, estimatedRows ?? 0);
      bar = makeBar?.();
      bar?.start(total, 0, { label, rate: '-' });
    },
    copyRows(rows) {
      if (bar) {
        if (rows > total) bar.setTotal((total = rows));
        bar.update(rows, { label, rate: rate(rows) });
      } else if (performance.now() - lastLine >= LINE_EVERY_MS) {
        lastLine = performance.now();
        write(`  ${label}: ${rows.toLocaleString('en')} rows copied so far (${rate(rows)} rows/s)\n`);
      }
    },
    copyDone() {
      bar?.stop();
      bar = undefined;
    },
  };
}

async function loadBar(): Promise<(() => Bar) | undefined> {
  try {
    const { default: cliProgress } = await import('cli-progress');
    return () => new cliProgress.SingleBar(
      { format: '  {label} |{bar}| {value}/{total} rows, {rate} rows/s', hideCursor: true, clearOnComplete: true },
      cliProgress.Presets.shades_classic,
    );
  } catch {
    return undefined;
  }
}

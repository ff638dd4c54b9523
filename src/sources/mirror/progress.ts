// Progress for the mirror's long jobs (build, import, sync): a redrawn bar with rate and ETA on a terminal, plain lines
// at most every 5 s elsewhere (logs, CI), so a 17-hour crawl or a 660 MB import always says how far it has got.

/** Where progress goes: a writable stream; `isTTY` picks the redrawn bar. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** What is being done, e.g. "build: fetching records". */
  label: string;
  /** How many units in all, when known (else no bar and no ETA). */
  total?: number;
  /** What a unit is: "records", "bytes", "codes". */
  unit: string;
  stream?: ProgressStream;
  /** Clock in ms (tests inject one); default Date.now. */
  now?: () => number;
  /** Least time between plain lines (default 5000 ms); the terminal bar redraws at most every 100 ms. */
  plainIntervalMs?: number;
}

export interface Progress {
  /** `n` more units done. */
  tick(n?: number): void;
  setTotal(total: number): void;
  /** Text shown after the figures from now on (e.g. "12,000 records, 4,100 records/s" beside a bytes bar). */
  note(text: string): void;
  /** Ends the progress: one last line (100 % when the total is known) and the summary. */
  done(summary?: string): void;
  /** Units done so far. */
  readonly count: number;
}

const BAR_WIDTH = 24;
const TTY_REDRAW_MS = 100;
export const PLAIN_PROGRESS_INTERVAL_MS = 5000;

/** A count as the progress line shows it: bytes in B/KiB/MiB/GiB, anything else grouped in thousands (en-GB). */
export function formatCount(n: number, unit: string): string {
  if (unit === 'bytes') {
    if (n >= 1024 * 1024 * 1024) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
    if (n >= 1024 * 1024) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
    if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
    return `${n} B`;
  }
  return n.toLocaleString('en-GB');
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => Date.now());
  const plainInterval = options.plainIntervalMs ?? PLAIN_PROGRESS_INTERVAL_MS;
  const tty = stream.isTTY === true;
  const started = now();
  let total = options.total;
  let count = 0;
  let lastDraw = -Infinity;
  let printedZero = false;
  let printedFull = false;
  let finished = false;
  let noteText = '';

  const line = (): string => {
    const elapsed = (now() - started) / 1000;
    const rate = elapsed > 0 ? count / elapsed : 0;
    const rateText = `${formatCount(Math.round(rate), options.unit)}/s`;
    const parts = [options.label];
    if (total !== undefined && total > 0) {
      const fraction = Math.min(1, count / total);
      const percent = `${Math.floor(fraction * 100)
        .toString()
        .padStart(3)} %`;
      if (tty) {
        const filled = Math.round(fraction * BAR_WIDTH);
        parts.push(`[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`);
      }
      parts.push(
        percent,
        `${formatCount(count, options.unit)}/${formatCount(total, options.unit)} ${options.unit === 'bytes' ? '' : options.unit}`.trimEnd(),
      );
      parts.push(rateText);
      const eta = rate > 0 ? (total - count) / rate : Infinity;
      parts.push(`ETA ${count >= total ? '0s' : formatDuration(eta)}`);
    } else {
      parts.push(
        `${formatCount(count, options.unit)} ${options.unit === 'bytes' ? '' : options.unit}`.trimEnd(),
        rateText,
      );
    }
    if (noteText !== '') parts.push(noteText);
    return parts.join('  ');
  };

  const draw = (force: boolean): void => {
    const at = now();
    if (tty) {
      if (!force && at - lastDraw < TTY_REDRAW_MS) return;
      lastDraw = at;
      const width = stream.columns ?? 120;
      stream.write(
        `\r${line()
          .slice(0, Math.max(20, width - 1))
          .padEnd(Math.max(20, width - 1))}`,
      );
      return;
    }
    if (!force && at - lastDraw < plainInterval) return;
    lastDraw = at;
    stream.write(`${line()}\n`);
  };

  const drawZero = (): void => {
    if (printedZero) return;
    printedZero = true;
    draw(true);
  };

  drawZero();
  return {
    get count() {
      return count;
    },
    tick(n = 1) {
      if (finished) return;
      count += n;
      const full = total !== undefined && count >= total && !printedFull;
      if (full) printedFull = true;
      draw(full);
    },
    setTotal(value: number) {
      total = value;
    },
    note(text: string) {
      noteText = text;
    },
    done(summary?: string) {
      if (finished) return;
      finished = true;
      // The last state, unless the 100 % line was just printed for it.
      if (!printedFull || tty) draw(true);
      if (tty) stream.write('\n');
      if (summary !== undefined) stream.write(`${options.label}: ${summary}\n`);
    },
  };
}

/** A Progress that prints nothing (library callers, tests that do not look). */
export function silentProgress(): Progress {
  let count = 0;
  return {
    get count() {
      return count;
    },
    tick(n = 1) {
      count += n;
    },
    setTotal() {},
    note() {},
    done() {},
  };
}

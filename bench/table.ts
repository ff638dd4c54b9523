// Benchmark results: one row per measured figure, printed as an aligned table and saved as JSON.
// Every suite returns BenchRow[]; bench/run.ts collects them.

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname } from 'node:path';

export interface BenchRow {
  suite: string;
  case: string;
  metric: string;
  value: number;
  /** The goal this figure is held to, in words (e.g. "≤ 5"), when there is one. */
  goal?: string;
  /** Whether the goal is met, when there is one. */
  met?: boolean;
}

export function printTable(rows: BenchRow[]): string {
  const header = ['suite', 'case', 'metric', 'value', 'goal', 'met'];
  const cells = rows.map((r) => [
    r.suite,
    r.case,
    r.metric,
    String(r.value),
    r.goal ?? '',
    r.met === undefined ? '' : r.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

export function saveJson(rows: BenchRow[], file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const machine = describeMachine();
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), machine, rows }, null, 2)}\n`);
}

/** What the figures were measured on; other processes' load (e.g. a test run alongside) moves the timing figures. */
export function describeMachine(): Record<string, unknown> {
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** The bench's one table, printed and written as JSON and Markdown under bench/results/. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import type { Plan, Row } from './case';

export const RESULTS_DIR = path.join(__dirname, '..', 'results');

export interface Report {
  at: string;
  mode: 'full' | 'quick';
  node: string;
  cpus: number;
  /** The 1-minute load average when the run started and when it ended (a shared machine). */
  load: { start: number; end: number };
  seconds: number;
  rows: Row[];
}

export function startReport(plan: Plan): { finish(rows: Row[]): Report } {
  const started = Date.now();
  const at = new Date(started).toISOString();
  const loadAtStart = loadavg()[0];
  return {
    finish: (rows) => ({
      at,
      mode: plan.quick ? 'quick' : 'full',
      node: process.version,
      cpus: cpus().length,
      load: { start: round(loadAtStart), end: round(loadavg()[0]) },
      seconds: round((Date.now() - started) / 1000),
      rows,
    }),
  };
}

const round = (n: number): number => Math.round(n * 100) / 100;

const HEADINGS = ['case', 'goal', 'measured', 'verdict'];
const cells = (row: Row): string[] => [row.name, row.goal, row.shown, row.verdict];

export function table(report: Report): string {
  const lines = [HEADINGS, ...report.rows.map(cells)];
  const widths = HEADINGS.map((_, i) => Math.max(...lines.map((line) => line[i].length)));
  const format = (line: string[]) => line.map((cell, i) => cell.padEnd(widths[i])).join('  ');
  return [
    format(HEADINGS),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...report.rows.map((row) => format(cells(row))),
    '',
    summary(report),
  ].join('\n');
}

function summary(report: Report): string {
  return (
    `${report.mode} run, ${report.at}, node ${report.node}, ${report.cpus} cpus, ` +
    `load average ${report.load.start} → ${report.load.end}, ${report.seconds} s`
  );
}

export function markdown(report: Report): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [
    `| ${HEADINGS.join(' | ')} |`,
    `| ${HEADINGS.map(() => '---').join(' | ')} |`,
    ...report.rows.map((row) => `| ${cells(row).map(escape).join(' | ')} |`),
    '',
    `${summary(report)}.`,
    '',
  ].join('\n');
}

/** Writes `<time>.json`, `<time>.md` and `latest.json`, `latest.md`; returns the folder. */
export function writeReport(report: Report): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = report.at.replace(/[:.]/g, '-');
  for (const name of [stamp, 'latest']) {
    writeFileSync(path.join(RESULTS_DIR, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(path.join(RESULTS_DIR, `${name}.md`), markdown(report));
  }
  return RESULTS_DIR;
}

/**
 * bench/results/YYYY-MM-DD-HHMM.json (everything, for comparing runs), .md (the table as
 * printed, with the date, machine and versions) and .svg (the chart). Each is written to a .tmp file and renamed, so
 * an interrupted run never leaves half a result (the .tmp files are git-ignored).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { GoalResult } from './goals';
import type { Machine, Versions } from './machine';
import type { Row } from './scenarios/types';

/** The source tree's bench/results (this file runs from dist/bench). */
const RESULTS_DIR = path.resolve(__dirname, '../../bench/results');

export interface RunRecord {
  readonly startedAt: string;
  readonly durationS: number;
  readonly quick: boolean;
  readonly machine: Machine;
  readonly versions: Versions;
  readonly settings: Record<string, unknown>;
  readonly rows: readonly Row[];
  readonly lines: readonly string[];
  readonly goals: readonly GoalResult[];
  readonly notes: readonly string[];
  readonly details: Record<string, unknown>;
}

/** YYYY-MM-DD-HHMM in local time, as the file name. */
function stamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}`;
}

function writeAtomically(file: string, text: string): void {
  fs.writeFileSync(`${file}.tmp`, text);
  fs.renameSync(`${file}.tmp`, file);
}

export function writeResults(record: RunRecord, markdown: string, svg: string, dir = RESULTS_DIR): { json: string; md: string; svg: string } {
  fs.mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `${stamp(new Date(record.startedAt))}${record.quick ? '-quick' : ''}`);
  const json = `${base}.json`;
  const md = `${base}.md`;
  const chart = `${base}.svg`;
  writeAtomically(json, `${JSON.stringify(record, null, 2)}\n`);
  writeAtomically(md, markdown);
  writeAtomically(chart, svg);
  return { json, md, svg: chart };
}

/** Reading the golden corpus in fixtures/golden (a copy of ../shared/golden). */
import fs from 'node:fs';
import path from 'node:path';

export const GOLDEN_DIR = path.resolve(__dirname, '../../../fixtures/golden');

export interface GoldenStep {
  readonly run: string;
  readonly commands: readonly string[];
  readonly mayAlso?: readonly string[];
}

export interface GoldenCase {
  readonly name: string;
  readonly dir: string;
  readonly description: string;
  readonly args: readonly string[];
  readonly setup?: readonly string[];
  readonly rsyncExit?: number;
  readonly endWait?: number;
  readonly startup: readonly string[];
  readonly steps: readonly GoldenStep[];
  readonly late: readonly string[];
  readonly failLog: string | null;
  readonly stdout: string;
}

export type GoldenEvent = { kind: 'sync'; path: string } | { kind: 'delete'; path: string; isDir: boolean };

export interface Placeholders {
  readonly WATCH: string;
  readonly FAILLOG: string;
  readonly PWATCH: string;
  readonly ROOT: string;
  readonly CONFIG: string;
}

export function goldenCases(): GoldenCase[] {
  return fs
    .readdirSync(path.join(GOLDEN_DIR, 'cases'))
    .sort()
    .map((name) => {
      const dir = path.join(GOLDEN_DIR, 'cases', name);
      return { name, dir, ...(JSON.parse(fs.readFileSync(path.join(dir, 'case.json'), 'utf8')) as Omit<GoldenCase, 'name' | 'dir'>) };
    });
}

/** The events each step causes, as written down in events.json beside the case. */
export function goldenEvents(c: GoldenCase): GoldenEvent[][] {
  const file = JSON.parse(fs.readFileSync(path.join(c.dir, 'events.json'), 'utf8')) as { steps: { run: string; events: GoldenEvent[] }[] };
  return file.steps.map((s, i) => {
    if (s.run !== c.steps[i]?.run) throw new Error(`${c.name}: events.json step ${i} is for ${JSON.stringify(s.run)}, case.json has ${JSON.stringify(c.steps[i]?.run)}`);
    return s.events;
  });
}

export function fill(text: string, p: Placeholders): string {
  return text.replace(/\{(WATCH|FAILLOG|PWATCH|ROOT|CONFIG)\}/g, (_, key: keyof Placeholders) => p[key]);
}

/** Placeholders for a case laid out under `root`, as the corpus README describes. */
export function placeholdersFor(root: string): Placeholders {
  return { ROOT: root, WATCH: path.join(root, 'w'), PWATCH: path.join(root, 'pw'), FAILLOG: path.join(root, 'rsync_fail_log.sh'), CONFIG: path.join(root, 'confxml.xml') };
}

/** Commands a replacement runs itself: the kernel settings are written directly and the fail log is never chmod 777. */
export function isRsyncOrPluginCommand(command: string): boolean {
  return !command.startsWith('echo ') && !command.startsWith('chmod 777 ');
}

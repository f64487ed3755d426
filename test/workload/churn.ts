/**
 * lsyncd's churn test (tests/testlib.lua `churn`, driven by tests/churn-rsync.lua), written again
 * from its published design, as a process of its own:
 *
 *   node churn.js --root DIR --seed N --steps N [--init] [--sleep-ms N] [--trace]
 *
 * Its dice: with --init, mkfile 10 and mkdir 10; otherwise sleep 50, mkfile 20, mkdir 20,
 * mvdir 20, rmfile 20. Its names: directories are one letter (a-z), files `f` plus a letter,
 * a file holds 10 random letters and a newline. Like the original, each run starts with a model
 * that knows only the root (the second run does not know what the first one made), and a call
 * that fails (a mkdir onto an existing name, a rename onto a non-empty directory) is ignored
 * while the model takes the change anyway. A sleep is 1 s, as published; --sleep-ms shortens it.
 * Prints `churn: seed N, steps N` first and `churn done: {json}` last; --trace prints each step
 * as testlib.lua's log lines do.
 */
import fs from 'node:fs';
import path from 'node:path';
import { rng } from '../../workload/rng';

interface Dir {
  readonly name: string;
  parent: Dir | undefined;
  /** Entry names in it: subdirectories (one letter) and files (two letters). */
  readonly entries: Map<string, Dir | true>;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Ignores a failed call, as the Lua functions' unchecked results do. */
function attempt(call: () => void): void {
  try {
    call();
  } catch {
    // the original does not look at the result either
  }
}

export function churn(rootDir: string, steps: number, init: boolean, seed: number, sleepMs: number, trace?: (line: string) => void): Record<string, number> {
  const rand = rng(seed);
  /** math.random(n): 1..n; math.random(m, n): m..n. */
  const random = (m: number, n?: number) => (n === undefined ? 1 + Math.floor(rand() * m) : m + Math.floor(rand() * (n - m + 1)));
  const letter = () => String.fromCharCode(96 + random(26));
  const root: Dir = { name: '', parent: undefined, entries: new Map() };
  const allDirs: Dir[] = [root];
  const dirsWithFiles: Dir[] = [];
  // Relative to the root, ending in '/' for a directory (the root is '').
  const dirname = (d: Dir): string => (d.parent ? `${dirname(d.parent)}${d.name}/` : '');
  const abs = (rel: string) => path.join(rootDir, rel);
  const pickDir = (notRoot: boolean): Dir | undefined => (notRoot ? (allDirs.length <= 2 ? undefined : allDirs[random(2, allDirs.length) - 1]) : allDirs[random(allDirs.length) - 1]);
  const filesIn = (d: Dir) => [...d.entries.entries()].filter(([name]) => name.length === 2).map(([name]) => name);
  const noteFile = (d: Dir) => {
    if (!dirsWithFiles.includes(d)) dirsWithFiles.push(d);
  };
  const pickFile = (): { dir: Dir; name: string } | undefined => {
    if (dirsWithFiles.length < 1) return undefined;
    const dir = dirsWithFiles[random(dirsWithFiles.length) - 1]!;
    const names = filesIn(dir);
    return { dir, name: names[random(names.length) - 1]! };
  };
  const forgetFile = (dir: Dir, name: string) => {
    dir.entries.delete(name);
    if (filesIn(dir).length === 0) dirsWithFiles.splice(dirsWithFiles.indexOf(dir), 1);
  };

  const actions = {
    sleep: () => sleepSync(sleepMs),
    mkdir: () => {
      const parent = pickDir(false)!;
      const name = letter();
      if (parent.entries.has(name)) return;
      const dir: Dir = { name, parent, entries: new Map() };
      parent.entries.set(name, dir);
      allDirs.push(dir);
      trace?.(`mkdir  ${dirname(dir)}`);
      attempt(() => fs.mkdirSync(abs(dirname(dir))));
    },
    mkfile: () => {
      const dir = pickDir(false)!;
      const name = `f${letter()}`;
      let text = '';
      for (let i = 0; i < 10; i++) text += letter();
      try {
        fs.writeFileSync(abs(dirname(dir) + name), `${text}\n`);
      } catch {
        return; // io.open failed: nothing is recorded
      }
      trace?.(`mkfile ${dirname(dir)}${name}`);
      dir.entries.set(name, true);
      noteFile(dir);
    },
    mvdir: () => {
      if (allDirs.length <= 2) return;
      const moved = pickDir(true)!;
      const target = pickDir(false)!;
      for (let d: Dir | undefined = target; d; d = d.parent) if (d === moved) return;
      if (target.entries.has(moved.name)) return;
      const from = dirname(moved);
      trace?.(`mvdir  ${from} -> ${dirname(target)}${moved.name}`);
      attempt(() => fs.renameSync(abs(from), abs(dirname(target) + moved.name)));
      moved.parent!.entries.delete(moved.name);
      moved.parent = target;
      target.entries.set(moved.name, moved);
    },
    rmfile: () => {
      const file = pickFile();
      if (!file) return;
      trace?.(`rmfile ${dirname(file.dir)}${file.name}`);
      attempt(() => fs.unlinkSync(abs(dirname(file.dir) + file.name)));
      forgetFile(file.dir, file.name);
    },
  };
  const dice: Array<[number, keyof typeof actions]> = init
    ? [[10, 'mkfile'], [10, 'mkdir']]
    : [[50, 'sleep'], [20, 'mkfile'], [20, 'mkdir'], [20, 'mvdir'], [20, 'rmfile']];
  let sides = 0;
  const cumulative = dice.map(([weight, action]) => {
    sides += weight;
    return [sides, action] as const;
  });
  const counts: Record<string, number> = {};
  for (let step = 0; step < steps; step++) {
    const roll = random(sides);
    const action = cumulative.find(([upTo]) => roll <= upTo)![1];
    actions[action]();
    counts[action] = (counts[action] ?? 0) + 1;
  }
  return counts;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const get = (flag: string, fallback?: string): string => {
    const i = argv.indexOf(flag);
    const value = i >= 0 ? argv[i + 1] : fallback;
    if (value === undefined) {
      console.error(`churn: missing ${flag}`);
      process.exit(1);
    }
    return value;
  };
  const seed = Number(get('--seed'));
  const steps = Number(get('--steps'));
  const init = argv.includes('--init');
  console.log(`churn: seed ${seed}, steps ${steps}${init ? ', init' : ''}`);
  console.log(`churn done: ${JSON.stringify(churn(get('--root'), steps, init, seed, Number(get('--sleep-ms', '1000'))))}`);
}

/**
 * A workload written by another program, as a busy application, `cp -a`, `rm -rf` or `tar x`
 * would write it: its own process, synchronous calls at full speed, never a yield to anyone,
 * never a rescan of the tree (it keeps its own model of what it made).
 *
 *   node generator.js --root DIR --outside DIR --seed N --ops N --mix NAME
 *
 * Prints `workload: seed N, mix NAME, ops N` first and `workload done: {json}` last (the counts
 * of each operation and the time taken). Exits 1 on an unexpected error: the model must stay
 * exact, so any failed call is a bug of the generator, not noise.
 *
 * Mixes (weights per operation, see MIXES): `mkdir` (plain mkdir under a random earlier one:
 * the shortest case), `deep` (mkdir-heavy chains 10-14 levels deep with file churn,
 * renames and rm -rf), `churn` (files), `renames` (files and directories across parents),
 * `inout` (moves in and out of the tree, rm -rf, cp -a and tar x of a prepared tree), `all`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { rng } from './rng';

const MIXES = {
  mkdir: { mkdir: 1 },
  deep: { mkdir: 30, chain: 6, mkfile: 20, append: 10, mvfile: 8, rmfile: 8, mvdir: 6, rmrf: 3 },
  churn: { mkdir: 5, mkfile: 35, append: 20, overwrite: 15, mvfile: 10, rmfile: 15 },
  renames: { mkdir: 15, chain: 3, mkfile: 20, mvfile: 25, mvdir: 30, rmfile: 4, rmrf: 3 },
  inout: { mkdir: 15, chain: 3, mkfile: 20, append: 5, moveout: 15, movein: 15, rmrf: 8, cpa: 5, tarx: 5, mvdir: 9 },
  all: { mkdir: 18, chain: 4, mkfile: 18, append: 8, overwrite: 6, mvfile: 8, rmfile: 8, mvdir: 8, rmrf: 4, moveout: 5, movein: 5, cpa: 3, tarx: 3, symlink: 2 },
} as const;

export type MixName = keyof typeof MIXES;
type Op = 'mkdir' | 'chain' | 'mkfile' | 'append' | 'overwrite' | 'mvfile' | 'rmfile' | 'mvdir' | 'rmrf' | 'moveout' | 'movein' | 'cpa' | 'tarx' | 'symlink';

/** Deepest directory a chain or a mkdir makes (below the root). */
const MAX_DEPTH = 14;

interface Args {
  root: string;
  outside: string;
  seed: number;
  ops: number;
  mix: MixName;
}

function parseArgs(argv: readonly string[]): Args {
  const get = (flag: string): string => {
    const i = argv.indexOf(flag);
    if (i < 0 || i + 1 >= argv.length) throw new Error(`missing ${flag}`);
    return argv[i + 1]!;
  };
  const mix = get('--mix');
  if (!(mix in MIXES)) throw new Error(`unknown mix ${mix} (one of ${Object.keys(MIXES).join(', ')})`);
  return { root: get('--root'), outside: get('--outside'), seed: Number(get('--seed')), ops: Number(get('--ops')), mix: mix as MixName };
}

/** What the generator made, as relative paths ('' is the root): never read back from the disk. */
class Model {
  dirs: string[] = [''];
  files: string[] = [];

  addTree(base: string, tree: PreparedTree): void {
    this.dirs.push(base, ...tree.dirs.map((d) => `${base}/${d}`));
    this.files.push(...tree.files.map((f) => `${base}/${f}`));
  }

  /** Drops `dir` and everything under it. */
  removeTree(dir: string): void {
    const inside = (p: string) => p === dir || p.startsWith(`${dir}/`);
    this.dirs = this.dirs.filter((d) => !inside(d));
    this.files = this.files.filter((f) => !inside(f));
  }

  moveTree(from: string, to: string): void {
    const move = (p: string) => (p === from ? to : p.startsWith(`${from}/`) ? to + p.slice(from.length) : p);
    this.dirs = this.dirs.map(move);
    this.files = this.files.map(move);
  }

  removeFile(file: string): void {
    const i = this.files.indexOf(file);
    this.files[i] = this.files[this.files.length - 1]!;
    this.files.pop();
  }
}

/** A small tree made outside once, copied in with cp -a and unpacked with tar x. */
interface PreparedTree {
  readonly dirs: string[];
  readonly files: string[];
}

function prepareTree(dir: string): PreparedTree {
  const dirs = ['a', 'a/b', 'a/b/c', 'a/b/c/d', 'e', 'e/f'];
  const files = ['top.txt', 'a/one.txt', 'a/b/two.txt', 'a/b/c/three.bin', 'a/b/c/d/four.txt', 'e/five.txt', 'e/f/six.txt'];
  for (const d of dirs) fs.mkdirSync(path.join(dir, d), { recursive: true });
  for (const [i, f] of files.entries()) fs.writeFileSync(path.join(dir, f), Buffer.alloc(100 + i * 700, `${f}:`));
  // An old mtime, as an unpacked archive has: rsync must still send it.
  const old = new Date('2020-01-02T03:04:05Z');
  for (const f of files) fs.utimesSync(path.join(dir, f), old, old);
  return { dirs, files };
}

function run(command: string, args: readonly string[]): void {
  const r = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${r.error?.message ?? r.stderr.trim() ?? r.signal}`);
}

function generate(a: Args): Record<string, number> {
  const rand = rng(a.seed);
  const model = new Model();
  const abs = (rel: string) => (rel ? path.join(a.root, rel) : a.root);
  const join = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);
  const depth = (rel: string) => (rel ? rel.split('/').length : 0);
  let serial = 0;
  const fresh = (prefix: string) => `${prefix}${(serial++).toString(36)}`;
  const pick = <T>(xs: readonly T[]): T | undefined => (xs.length ? xs[Math.floor(rand() * xs.length)] : undefined);
  const content = (n: number) => Buffer.from(`${a.seed}:${serial}:`.padEnd(n, String.fromCharCode(97 + (serial % 26))));
  // A parent for a new entry: in the deep mixes often one of the newest directories, so chains grow.
  const parentFor = (): string => {
    for (let tries = 0; tries < 8; tries++) {
      const recent = a.mix !== 'mkdir' && rand() < 0.5;
      const d = recent ? model.dirs[model.dirs.length - 1 - Math.floor(rand() * Math.min(20, model.dirs.length))]! : pick(model.dirs)!;
      if (depth(d) < MAX_DEPTH) return d;
    }
    return '';
  };
  const nonRoot = () => (model.dirs.length > 1 ? model.dirs[1 + Math.floor(rand() * (model.dirs.length - 1))] : undefined);

  const preparedDir = path.join(a.outside, 'prepared');
  const tarball = path.join(a.outside, 'prepared.tar');
  fs.rmSync(preparedDir, { recursive: true, force: true });
  fs.mkdirSync(preparedDir, { recursive: true });
  const prepared = prepareTree(preparedDir);
  run('tar', ['-cf', tarball, '-C', preparedDir, '.']);

  const weights = Object.entries(MIXES[a.mix]) as Array<[Op, number]>;
  const total = weights.reduce((s, [, w]) => s + w, 0);
  const choose = (): Op => {
    let r = rand() * total;
    for (const [op, w] of weights) {
      r -= w;
      if (r < 0) return op;
    }
    return weights[0]![0];
  };
  const counts: Record<string, number> = {};
  const perform = (op: Op): boolean => {
    switch (op) {
      case 'mkdir': {
        const d = join(parentFor(), fresh(a.mix === 'mkdir' ? 'dir' : 'd'));
        fs.mkdirSync(abs(d));
        model.dirs.push(d);
        return true;
      }
      case 'chain': {
        // 10-14 levels of plain mkdir, one below the other, maybe a file at the bottom.
        let d = '';
        const levels = 10 + Math.floor(rand() * 5);
        for (let i = 0; i < levels; i++) {
          d = join(d, fresh('c'));
          fs.mkdirSync(abs(d));
          model.dirs.push(d);
        }
        if (rand() < 0.5) {
          const f = join(d, fresh('f'));
          fs.writeFileSync(abs(f), content(1 + Math.floor(rand() * 200)));
          model.files.push(f);
        }
        return true;
      }
      case 'mkfile': {
        const f = join(parentFor(), `${fresh('f')}.txt`);
        fs.writeFileSync(abs(f), content(1 + Math.floor(rand() * 300)));
        model.files.push(f);
        return true;
      }
      case 'append': {
        const f = pick(model.files);
        if (!f) return false;
        fs.appendFileSync(abs(f), content(1 + Math.floor(rand() * 50)));
        return true;
      }
      case 'overwrite': {
        const f = pick(model.files);
        if (!f) return false;
        // A different size, so rsync's quick check (size + mtime) sees it even within one second.
        fs.writeFileSync(abs(f), content(fs.statSync(abs(f)).size + 1 + Math.floor(rand() * 40)));
        return true;
      }
      case 'mvfile': {
        const f = pick(model.files);
        if (!f) return false;
        const to = join(pick(model.dirs)!, `${fresh('r')}.txt`);
        fs.renameSync(abs(f), abs(to));
        model.removeFile(f);
        model.files.push(to);
        return true;
      }
      case 'rmfile': {
        const f = pick(model.files);
        if (!f) return false;
        fs.unlinkSync(abs(f));
        model.removeFile(f);
        return true;
      }
      case 'mvdir': {
        const d = nonRoot();
        if (!d) return false;
        const parent = pick(model.dirs)!;
        if (parent === d || parent.startsWith(`${d}/`)) return false;
        const to = join(parent, fresh('m'));
        fs.renameSync(abs(d), abs(to));
        model.moveTree(d, to);
        return true;
      }
      case 'rmrf': {
        const d = nonRoot();
        if (!d) return false;
        fs.rmSync(abs(d), { recursive: true });
        model.removeTree(d);
        return true;
      }
      case 'moveout': {
        const what = rand() < 0.5 ? pick(model.files) : nonRoot();
        if (!what) return false;
        fs.renameSync(abs(what), path.join(a.outside, fresh('out')));
        if (model.files.includes(what)) model.removeFile(what);
        else model.removeTree(what);
        return true;
      }
      case 'movein': {
        const name = fresh('in');
        const src = path.join(a.outside, name);
        const to = join(parentFor(), name);
        if (rand() < 0.4) {
          fs.writeFileSync(src, content(20));
          fs.renameSync(src, abs(to));
          model.files.push(to);
        } else {
          fs.mkdirSync(path.join(src, 'a', 'b'), { recursive: true });
          fs.writeFileSync(path.join(src, 'a', 'b', 'z.txt'), content(30));
          fs.renameSync(src, abs(to));
          model.addTree(to, { dirs: ['a', 'a/b'], files: ['a/b/z.txt'] });
        }
        return true;
      }
      case 'cpa': {
        const to = join(parentFor(), fresh('cp'));
        run('cp', ['-a', preparedDir, abs(to)]);
        model.addTree(to, prepared);
        return true;
      }
      case 'tarx': {
        const to = join(parentFor(), fresh('tar'));
        fs.mkdirSync(abs(to));
        run('tar', ['-xf', tarball, '-C', abs(to)]);
        model.addTree(to, prepared);
        return true;
      }
      case 'symlink': {
        const f = pick(model.files);
        const dir = parentFor();
        const target = f && rand() < 0.5 ? path.relative(abs(dir), abs(f)) : `/nowhere/${fresh('t')}`;
        fs.symlinkSync(target, abs(join(dir, fresh('l'))));
        return true;
      }
    }
  };
  const t0 = Date.now();
  for (let done = 0; done < a.ops; ) {
    const op = choose();
    if (!perform(op)) continue;
    counts[op] = (counts[op] ?? 0) + 1;
    done++;
  }
  return { ...counts, dirs: model.dirs.length - 1, files: model.files.length, ms: Date.now() - t0 };
}

if (require.main === module) {
  try {
    const a = parseArgs(process.argv.slice(2));
    console.log(`workload: seed ${a.seed}, mix ${a.mix}, ops ${a.ops}`);
    console.log(`workload done: ${JSON.stringify(generate(a))}`);
  } catch (error) {
    console.error(`workload: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  }
}

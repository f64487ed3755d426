/**
 * The storm: seeded random operations (create, append, overwrite, rename, delete, mkdir -p,
 * rm -rf) at full speed. The sequence depends only on the seed and the tree, which starts empty
 * for every tool, so every tool gets the very same operations. Names are never reused and an
 * overwrite always changes the size: rsync's quick check (size and mtime) must see every change,
 * as it would not for an equal-sized rewrite within the same second. No name is one that
 * sersync2's rules skip (.x, x~, 4913).
 */
import fs from 'node:fs';
import path from 'node:path';
import { rng } from '../../test/helpers/rng';
import { listTree } from '../../test/helpers/tree';

/** Errors a racing random walk can cause itself (a pick that a previous rm -rf removed). */
const EXPECTED = new Set(['ENOENT', 'EINVAL', 'ENOTEMPTY', 'EEXIST', 'ENOTDIR', 'EISDIR']);

export function runStorm(root: string, ops: number, seed: number): void {
  const rand = rng(seed);
  let serial = 0;
  const fresh = (prefix: string) => `${prefix}${(serial++).toString(36)}`;
  const pick = <T>(xs: readonly T[]): T | undefined => (xs.length > 0 ? xs[Math.floor(rand() * xs.length)] : undefined);
  const abs = (rel: string) => path.join(root, rel);
  const under = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);
  const content = (n: number) => Buffer.from(`${seed}:${serial}:`.padEnd(n, 'x'));
  let dirs: string[] = [''];
  let files: string[] = [];
  // After a directory operation the lists are read again rather than patched: simple and exact.
  const rescan = () => ({ dirs, files } = listTree(root));
  for (let i = 0; i < ops; i++) {
    const r = rand();
    const dir = pick(dirs)!;
    const file = pick(files);
    try {
      if (r < 0.3 || !file) {
        const f = under(dir, `${fresh('f')}.txt`);
        fs.writeFileSync(abs(f), content(1 + Math.floor(rand() * 400)));
        files.push(f);
      } else if (r < 0.42) {
        fs.appendFileSync(abs(file), content(1 + Math.floor(rand() * 60)));
      } else if (r < 0.54) {
        const size = fs.statSync(abs(file)).size;
        fs.writeFileSync(abs(file), content(size + 1 + Math.floor(rand() * 40)));
      } else if (r < 0.64) {
        const to = under(pick(dirs)!, `${fresh('r')}.txt`);
        fs.renameSync(abs(file), abs(to));
        files = files.filter((f) => f !== file);
        files.push(to);
      } else if (r < 0.72) {
        fs.rmSync(abs(file));
        files = files.filter((f) => f !== file);
      } else if (r < 0.86) {
        const depth = 1 + Math.floor(rand() * 4);
        const deep = under(dir, Array.from({ length: depth }, () => fresh('d')).join('/'));
        fs.mkdirSync(abs(deep), { recursive: true });
        if (rand() < 0.7) fs.writeFileSync(abs(`${deep}/${fresh('f')}.txt`), content(10 + Math.floor(rand() * 100)));
        rescan();
      } else if (r < 0.93 && dir) {
        // A directory moves, possibly to another parent (never into itself).
        const parent = pick(dirs.filter((d) => d !== dir && !d.startsWith(`${dir}/`)))!;
        fs.renameSync(abs(dir), abs(under(parent, fresh('m'))));
        rescan();
      } else if (dir) {
        fs.rmSync(abs(dir), { recursive: true });
        rescan();
      }
    } catch (error) {
      if (!EXPECTED.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
      rescan();
    }
  }
}

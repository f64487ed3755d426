/**
 * The burst: N files of 1 KB in 20 directories (the figure: 2,000 files, 100 per
 * directory), written back to back, as fast as one process can; and the tree of 100,000 files
 * that the "burst into tree" scenario writes it into.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const DIRS = 20;
const KB = Buffer.alloc(1024, 'x');

/** Writes the files synchronously (no event-loop turns in between: the fastest a writer can go). */
export function writeBurst(root: string, files: number): void {
  const perDir = Math.ceil(files / DIRS);
  for (let d = 0; d * perDir < files; d++) {
    const dir = path.join(root, `burst${String(d).padStart(2, '0')}`);
    fs.mkdirSync(dir);
    for (let f = 0; f < perDir && d * perDir + f < files; f++) fs.writeFileSync(path.join(dir, `f${String(f).padStart(4, '0')}.txt`), KB);
  }
}

/** `files` files of 1 KB, 100 per directory, made once under `dir` (a template copied with cp -a). */
export function makeFileTree(dir: string, files: number): void {
  fs.mkdirSync(dir, { recursive: true });
  for (let d = 0; d * 100 < files; d++) {
    const sub = path.join(dir, `t${String(d).padStart(4, '0')}`);
    fs.mkdirSync(sub);
    for (let f = 0; f < 100 && d * 100 + f < files; f++) fs.writeFileSync(path.join(sub, `f${f}.txt`), KB);
  }
}

/** The template's contents into `to` with times, owners and modes kept: rsync's quick check sees them equal. */
export function copyTree(template: string, to: string): void {
  execFileSync('cp', ['-a', `${template}/.`, to], { stdio: 'ignore' });
}

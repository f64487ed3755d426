/**
 * A tree of exactly `dirs` directories for the start-up and idle scenarios, shaped like a web
 * root: top-level directories of 100 each (the directory, one file in it, and 99 empty
 * subdirectories), so every tool walks the same mix of branches and leaves.
 */
import fs from 'node:fs';
import path from 'node:path';

export function makeDirTree(root: string, dirs: number): void {
  let made = 0;
  for (let top = 0; made < dirs; top++) {
    const dir = path.join(root, `site${top}`);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'index.html'), `site ${top}\n`);
    made++;
    for (let sub = 0; sub < 99 && made < dirs; sub++, made++) fs.mkdirSync(path.join(dir, `page${sub}`));
  }
}

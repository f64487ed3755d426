/** The burst: N small files in N/100 directories, written back to back, as fast as one process can. */
import fs from 'node:fs';
import path from 'node:path';

const FILES_PER_DIR = 100;

/** Writes the files synchronously (no event-loop turns in between: the fastest a writer can go). */
export function writeBurst(root: string, files: number): void {
  for (let d = 0; d * FILES_PER_DIR < files; d++) {
    const dir = path.join(root, `d${String(d).padStart(3, '0')}`);
    fs.mkdirSync(dir);
    for (let f = 0; f < FILES_PER_DIR && d * FILES_PER_DIR + f < files; f++) fs.writeFileSync(path.join(dir, `f${String(f).padStart(2, '0')}.txt`), `burst file ${d}/${f}\n`);
  }
}

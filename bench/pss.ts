/**
 * The memory of several process trees together, as the kernel accounts it in
 * /proc/PID/smaps_rollup: PSS (each shared page divided among the processes that map it, so 20
 * processes of one program are not charged 20 times its binary) and RSS (what `top` and `ps`
 * show, each shared page counted in full by every process). Summed over the trees without their
 * rsync and sh children, as bench/proc.ts's memory() leaves them out.
 */
import fs from 'node:fs';
import { descendants } from './proc';

export interface Footprint {
  /** Sum of Pss, MiB. */
  readonly pssMb: number;
  /** Sum of Rss, MiB. */
  readonly rssMb: number;
  /** The processes summed. */
  readonly processes: number;
}

/** The `Rss:` and `Pss:` lines of smaps_rollup, in kB; undefined when the process is gone. */
export function rollupKb(text: string): { rss: number; pss: number } | undefined {
  const field = (name: string) => new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(text)?.[1];
  const rss = field('Rss');
  const pss = field('Pss');
  return rss === undefined || pss === undefined ? undefined : { rss: Number(rss), pss: Number(pss) };
}

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined; // gone
  }
}

/** PSS and RSS of `roots` and their descendants; undefined when a root is gone. */
export function footprint(roots: readonly number[]): Footprint | undefined {
  let pss = 0;
  let rss = 0;
  let processes = 0;
  for (const root of roots) {
    const tree = [root, ...descendants(root)];
    const rootRollup = read(`/proc/${root}/smaps_rollup`);
    if (rootRollup === undefined) return undefined;
    for (const pid of tree) {
      const comm = read(`/proc/${pid}/comm`)?.trim();
      if (comm === undefined || comm === 'rsync' || comm === 'sh') continue;
      const kb = rollupKb((pid === root ? rootRollup : read(`/proc/${pid}/smaps_rollup`)) ?? '');
      if (!kb) continue;
      pss += kb.pss;
      rss += kb.rss;
      processes++;
    }
  }
  return { pssMb: pss / 1024, rssMb: rss / 1024, processes };
}

/**
 * Snapshots of directory trees, byte for byte, to compare the local side with the remote side:
 * shared by the tests and the bench (neither imports the other).
 */
import fs from 'node:fs';
import path from 'node:path';

export type Entry = { type: 'dir' } | { type: 'file'; content: string } | { type: 'link'; target: string };

/** Every entry under `root`, keyed by relative path (hex for names that are not UTF-8). */
export function snapshot(root: string, skip: (name: Buffer, isDir: boolean) => boolean = () => false): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const walk = (dir: Buffer, rel: string) => {
    let entries: fs.Dirent<Buffer>[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true, encoding: 'buffer' });
    } catch {
      return;
    }
    for (const entry of entries) {
      const abs = Buffer.concat([dir, Buffer.from('/'), entry.name]);
      const name = entry.name.toString('utf8').includes('\ufffd') ? `hex:${entry.name.toString('hex')}` : entry.name.toString('utf8');
      const key = rel ? `${rel}/${name}` : name;
      if (skip(entry.name, entry.isDirectory())) continue;
      if (entry.isSymbolicLink()) {
        try {
          out.set(key, { type: 'link', target: fs.readlinkSync(abs).toString() });
        } catch {
          // vanished meanwhile (a tree being mirrored into changes under the walk)
        }
      } else if (entry.isDirectory()) {
        out.set(key, { type: 'dir' });
        walk(abs, key);
      } else if (entry.isFile()) {
        try {
          out.set(key, { type: 'file', content: fs.readFileSync(abs).toString('base64') });
        } catch {
          // vanished meanwhile
        }
      }
    }
  };
  walk(Buffer.from(path.resolve(root)), '');
  return out;
}

/** The directories (the root as '') and regular files under `root`, as relative paths: what a storm picks from. */
export function listTree(root: string): { dirs: string[]; files: string[] } {
  const dirs = [''];
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        dirs.push(r);
        walk(r);
      } else if (e.isFile()) files.push(r);
    }
  };
  walk('');
  return { dirs, files };
}

export interface TreeDiff {
  readonly missing: string[];
  readonly extra: string[];
  readonly differing: string[];
}

export function diffTrees(local: Map<string, Entry>, remote: Map<string, Entry>): TreeDiff {
  const missing: string[] = [];
  const extra: string[] = [];
  const differing: string[] = [];
  for (const [key, entry] of local) {
    const other = remote.get(key);
    if (!other) missing.push(key);
    else if (JSON.stringify(entry) !== JSON.stringify(other)) differing.push(key);
  }
  for (const key of remote.keys()) if (!local.has(key)) extra.push(key);
  return { missing, extra, differing };
}

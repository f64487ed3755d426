/**
 * Preloaded into the daemon by watch-scale.ts (`--require`): on SIGUSR2, writes the process's
 * memory breakdown to the file named by MEM_PROBE_FILE, as JSON: process.memoryUsage() (V8 heap,
 * external, array buffers) and V8's heap spaces, so that the RssAnon figure can be split into
 * what JavaScript holds and what it does not (the native side, malloc's arenas, code).
 */
import fs from 'node:fs';
import v8 from 'node:v8';

const file = process.env.MEM_PROBE_FILE;
if (file) {
  process.on('SIGUSR2', () => {
    // With --expose-gc, the live size: what the tree holds, not garbage a later collection would free.
    (globalThis as { gc?: () => void }).gc?.();
    if (process.env.MEM_PROBE_SNAPSHOT) v8.writeHeapSnapshot(process.env.MEM_PROBE_SNAPSHOT);
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size }]));
    fs.writeFileSync(`${file}.tmp`, JSON.stringify({ usage: process.memoryUsage(), spaces }));
    fs.renameSync(`${file}.tmp`, file);
  });
}

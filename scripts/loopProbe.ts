/**
 * Preloaded into the daemon by watch-scale.ts (`--require`): every time the event loop was held
 * for BLOCK_MS or more, appended to the file named by LOOP_PROBE_FILE as a line `END_MS HELD_MS`
 * (END_MS from Date.now(), so that the script can tell the watch setup's blocks from start-up's).
 * A 1 ms timer sees a block as one late tick.
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';

const BLOCK_MS = 5;
const file = process.env.LOOP_PROBE_FILE;
if (file) {
  let last = performance.now();
  const tick = (): void => {
    const now = performance.now();
    const held = now - last - 1;
    if (held >= BLOCK_MS) fs.appendFileSync(file, `${Date.now()} ${held.toFixed(1)}\n`);
    last = performance.now();
    // unref: the probe must not keep a stopping daemon alive.
    setTimeout(tick, 1).unref();
  };
  setTimeout(tick, 1).unref();
}

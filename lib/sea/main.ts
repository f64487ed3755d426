/**
 * Entry point of the single executable (`make dist`): Node with this program and its addons
 * inside. Node's require cannot load a .node file from inside the executable, so each addon is
 * written to a private directory (mkdtemp: 0700, ours), loaded with process.dlopen, and the
 * directory removed at once (a loaded library needs no file behind it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getAsset } from 'node:sea';
import { provideAddon } from '../addon';
import { main } from '../cli/main';

const ADDONS = ['inotify', 'spawn'] as const;

/** Writes the addons into a fresh private directory under `base`, loads them, removes the directory. */
function loadAddonsIn(base: string): Record<string, unknown> {
  const dir = fs.mkdtempSync(path.join(base, 'sersync2-addons-'));
  try {
    // mkdtemp made it 0700 and ours; refuse anything else rather than load a library from it.
    const st = fs.lstatSync(dir);
    if (!st.isDirectory() || st.uid !== process.getuid?.() || (st.mode & 0o077) !== 0) throw new Error(`${dir} is not a private directory`);
    const loaded: Record<string, unknown> = {};
    for (const name of ADDONS) {
      const file = path.join(dir, `${name}.node`);
      fs.writeFileSync(file, new Uint8Array(getAsset(`${name}.node`)), { mode: 0o700, flag: 'wx' });
      const module = { exports: {} };
      process.dlopen(module, file);
      loaded[name] = module.exports;
    }
    return loaded;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The first place that works: a directory mounted noexec (a hardened /tmp) refuses dlopen, so
 * the next is tried. Throws every reason when none works.
 */
function loadAddons(): void {
  const bases = [...new Set([process.env.XDG_RUNTIME_DIR, os.tmpdir(), '/var/tmp', '/dev/shm'].filter((d): d is string => !!d))];
  const reasons: string[] = [];
  for (const base of bases) {
    try {
      for (const [name, exports] of Object.entries(loadAddonsIn(base))) provideAddon(name, exports);
      return;
    } catch (error) {
      reasons.push(`${base}: ${(error as Error).message}`);
    }
  }
  throw new Error(reasons.join('; '));
}

// As bin/sersync2: `ps`, pgrep and pidof show sersync2 and its flags.
process.title = ['sersync2', ...process.argv.slice(2)].join(' ');
try {
  fs.writeFileSync('/proc/self/comm', 'sersync2');
} catch {
  // not Linux, or /proc is not mounted
}
try {
  loadAddons();
} catch (error) {
  // Without them --check and --verify still work; the daemon says what is missing when it starts.
  process.stderr.write(`sersync2: cannot load the built-in addons: ${(error as Error).message}\n`);
}
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`sersync2: internal error: ${error.stack ?? String(error)}\n`);
    process.exitCode = 70;
  },
);

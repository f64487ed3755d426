/**
 * The posix_spawn spawner: native/spawn.c, built to build/Release/spawn.node. Same child as
 * child_process.spawn (`shell -c command`, stdin /dev/null, stdout and stderr inherited, default
 * signals), started in ~0.4 ms instead of a fork of the whole process (~4 ms at 60 MB RSS).
 */
import { embeddedAddon, findAddon } from '../addon';
import { exitOf } from './result';
import { nodeSpawner, notStarted, type Spawner } from './spawner';

/** The addon's exports (see native/spawn.c). */
export interface SpawnAddon {
  /** Starts `shell -c command`; returns its pid. Throws an Error whose code is the errno name (ENOENT...). */
  spawnShell(shell: string, command: string | Buffer, onExit: (code: number | null, signal: number | null) => void): number;
  /** False when descriptors >= 3 reach the child unless marked close-on-exec (glibc < 2.34). */
  readonly closesDescriptors: boolean;
}

let loaded: SpawnAddon | null | undefined;

/** The addon, or undefined when it is not built or does not load here (loaded once). */
export function loadSpawnAddon(): SpawnAddon | undefined {
  loaded ??= embeddedAddon<SpawnAddon>('spawn');
  if (loaded === undefined) {
    const file = findAddon('spawn');
    try {
      loaded = file ? (require(file) as SpawnAddon) : null;
    } catch {
      loaded = null; // built for another platform or Node-API version: child_process it is
    }
  }
  return loaded ?? undefined;
}

/**
 * A spawner on the addon. When the addon says ENOSYS (no pidfd_open in this kernel, or glibc
 * < 2.29), this spawner hands this and every later command to `fallback`. ENOEXEC (a shell file
 * without #!) goes to `fallback` too, whose execvp runs such a file with /bin/sh.
 */
export function nativeSpawner(addon: SpawnAddon, fallback: Spawner = nodeSpawner): Spawner {
  let unavailable = false;
  return (shell, command) => {
    if (unavailable) return fallback(shell, command);
    return new Promise((resolve) => {
      try {
        addon.spawnShell(shell, command, (code, signal) => resolve(exitOf(code, signal)));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOSYS') unavailable = true;
        resolve(code === 'ENOSYS' || code === 'ENOEXEC' ? fallback(shell, command) : notStarted(error));
      }
    });
  };
}

/**
 * Runs sersync2's command strings through `/bin/sh -c`, exactly as system() does, and reports
 * the raw wait status (exit code x 256, or the signal number), which is what the fail log records.
 */
import { isMainThread } from 'node:worker_threads';
import { loadSpawnAddon, nativeSpawner } from './nativeSpawn';
import { nodeSpawner, type Spawner } from './spawner';

export { waitStatus, type Spawner } from './spawner';

export interface CommandRunner {
  /** Resolves to the wait status; never rejects. */
  run(command: string): Promise<number>;
}

/** rsync exit 23 ("some files could not be transferred") counts as success, as in sersync2. */
export function succeeded(status: number): boolean {
  return status === 0 || status === 23 * 256;
}

/**
 * The shell that runs commands. SERSYNC2_SHELL may name another POSIX shell; the golden tests use
 * it to record each exact command string before handing it to /bin/sh.
 */
export function defaultShell(env: NodeJS.ProcessEnv = process.env): string {
  return env.SERSYNC2_SHELL || '/bin/sh';
}

/**
 * How commands are started: posix_spawn through the native addon (build/Release/spawn.node) when
 * it loads, else child_process.spawn. SERSYNC2_SPAWN=node forces child_process (an escape hatch,
 * and a way to compare the two). A worker thread also uses child_process: its process.env is its
 * own copy, while the addon hands the child the process's real environment.
 */
export function defaultSpawner(env: NodeJS.ProcessEnv = process.env): Spawner {
  if (env.SERSYNC2_SPAWN === 'node' || !isMainThread) return nodeSpawner;
  const addon = loadSpawnAddon();
  return addon ? nativeSpawner(addon) : nodeSpawner;
}

export class ShellRunner implements CommandRunner {
  constructor(
    private readonly shell = defaultShell(),
    private readonly spawner: Spawner = defaultSpawner(),
  ) {}

  run(command: string): Promise<number> {
    return this.spawner(this.shell, command);
  }
}

/** `--dry-run`: prints each command instead of running it, for side-by-side runs with sersync2 in debug. */
export class DryRunRunner implements CommandRunner {
  constructor(private readonly print: (line: string) => void) {}
  run(command: string): Promise<number> {
    this.print(command);
    return Promise.resolve(0);
  }
}

/**
 * Runs commands (lib/command/model.ts) as their sersync2 strings through `/bin/sh -c`, exactly as
 * system() does, and reports a CommandResult: the command, its exit (code, signal, or why it
 * never started), its duration, and how its policy judged it.
 *
 * stderr is not captured: sersync2's commands send rsync's output to /dev/null themselves
 * (`>/dev/null 2>&1`), so a pipe would catch only the shell's own complaints, and with
 * `<debug start="true">` rsync's stderr goes to the operator's terminal or log as in sersync2; a
 * pipe there would need a copy to our stderr for every command (a pipe and a read loop per
 * spawn on the hot path) to change nothing the operator sees. The spawn's errno, the exit code's
 * meaning and the duration are what a failure report needs.
 */
import { isMainThread } from 'node:worker_threads';
import { loadSpawnAddon, nativeSpawner } from './nativeSpawn';
import { type Command, render } from '../command/model';
import { type CommandResult, resultOf } from './result';
import { nodeSpawner, type Spawner } from './spawner';

export type { Spawner } from './spawner';

export interface CommandRunner {
  /** Resolves to what the command gave; never rejects. */
  run(command: Command): Promise<CommandResult>;
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

  async run(command: Command): Promise<CommandResult> {
    // Rendered once: a batch line of thousands of paths takes milliseconds.
    const text = render(command);
    const started = performance.now();
    const exit = await this.spawner(this.shell, text);
    return resultOf(command, exit, performance.now() - started, text);
  }
}

/** `--dry-run`: prints each command instead of running it, for side-by-side runs with sersync2 in debug. */
export class DryRunRunner implements CommandRunner {
  constructor(private readonly print: (line: string) => void) {}
  run(command: Command): Promise<CommandResult> {
    const text = render(command);
    this.print(text);
    return Promise.resolve(resultOf(command, { kind: 'exited', code: 0 }, 0, text));
  }
}

/**
 * `-d`: the program starts itself again as a detached child in a new session. Unlike sersync2's
 * blind one-second sleep, the parent waits until the child is watching (exit 0) or has failed
 * (exit 1, with the child's error already on stderr).
 */
import { spawn } from 'node:child_process';
import { isSingleExecutable } from '../sea/isSea';

export const CHILD_ENV = 'SERSYNC2_DETACHED_CHILD';

export type ChildMessage = { readonly ready: true } | { readonly error: string };

export function isDetachedChild(): boolean {
  return process.env[CHILD_ENV] === '1';
}

/** In the parent: start the child and wait for its first word. */
export function detach(script: string, argv: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    // execArgv: the child keeps the V8 flags the bin's #! line gave the parent. The single
    // executable (make dist) is its own script: it gets the flags alone.
    const child = spawn(process.execPath, [...process.execArgv, ...(isSingleExecutable() ? [] : [script]), ...argv], {
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, [CHILD_ENV]: '1' },
    });
    let settled = false;
    const settle = (code: number) => {
      if (settled) return;
      settled = true;
      if (child.connected) child.disconnect();
      child.unref();
      resolve(code);
    };
    child.on('message', (message: ChildMessage) => settle('ready' in message ? 0 : 1));
    child.on('exit', (code) => settle(code === 0 ? 1 : code ?? 1));
    child.on('error', (error) => {
      process.stderr.write(`sersync2: cannot start the daemon: ${error.message}\n`);
      settle(1);
    });
  });
}

/** In the child: tell the parent how start-up went, then let go of the channel. */
export function tellParent(message: ChildMessage): void {
  if (!process.send || !process.connected) return;
  process.send(message, () => {
    if (process.connected) process.disconnect();
  });
}

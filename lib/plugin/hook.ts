/**
 * The plugin that runs after each synced event (or alone, with `-m`). Deliveries run beside the
 * workers, never inside them: a slow or dead endpoint never slows mirroring. At most
 * `concurrency` deliveries run at once and at most `maxPending` wait; past that the oldest waiting
 * one is dropped, with a warning.
 */
import path from 'node:path';
import type { Config } from '../config/types';
import type { PathEvent } from '../events/types';
import { changeMask } from '../inotify/change';
import { concatPath, type PathName } from '../paths';
import type { CommandRunner } from '../runner/shell';
import { absolutePathOf, pluginCommand, pluginWants } from './command/command';
import type { PluginName } from './config';
import { httpForm, postForm } from './http/post';
import { appendErrorLog, maskPassword, purgeRequest, sendPurge } from './refreshCDN/request';
import { DELIVERY_DEFAULTS, sendOnce, withRetries, type DeliveryLimits } from './socket/send';

/** Delivers one event; rejects with the reason when it could not. */
export type Delivery = (event: PathEvent) => Promise<void>;

export interface PluginContext {
  readonly config: Config;
  readonly runner: CommandRunner;
  readonly trace: (command: string) => void;
  readonly limits?: DeliveryLimits;
  /** Where refreshCDN appends the CDN's `whatsup` replies (sersync2: errorlog.txt in the working directory). */
  readonly errorLog?: string;
}

/** The directory a plugin reports paths under: its own `<localpath>`, or `<sersync><localpath>` for command. */
export function pluginWatch(config: Config, name: PluginName): string {
  return name === 'command' ? config.sersync.localpath.watch : config.plugins[name]?.watch ?? config.sersync.localpath.watch;
}

export function createDelivery(name: PluginName, ctx: PluginContext): Delivery {
  const limits = ctx.limits ?? DELIVERY_DEFAULTS;
  const watch = pluginWatch(ctx.config, name);
  const abs = (rel: PathName) => absolutePathOf(watch, rel);
  switch (name) {
    case 'command': {
      const plugin = ctx.config.plugins.command!;
      return async (event) => {
        if (!pluginWants(plugin, abs(event.path))) return;
        const command = pluginCommand(plugin, abs(event.path));
        ctx.trace(command);
        const status = await ctx.runner.run(command);
        if (status !== 0 && !plugin.ignoreError) throw new Error(`wait status ${status}: ${command}`);
      };
    }
    case 'socket': {
      const { ip, port } = ctx.config.plugins.socket!.deshost;
      return (event) => withRetries(limits, () => sendOnce(ip, port, Buffer.from(abs(event.path)), limits.timeoutMs));
    }
    case 'http': {
      const { url } = ctx.config.plugins.http!;
      return async (event) => {
        await withRetries(limits, () => postForm(url, httpForm(watch, abs(event.path), event.isDir, changeMask(event.cause, event.isDir)), limits.timeoutMs));
      };
    }
    case 'refreshCDN': {
      const plugin = ctx.config.plugins.refreshCDN!;
      const errorLog = ctx.errorLog ?? path.resolve('errorlog.txt');
      return async (event) => {
        const request = purgeRequest(plugin, abs(event.path), event.isDir);
        try {
          const whatsup = await withRetries(limits, () => sendPurge(plugin.cdninfo.domainname, plugin.cdninfo.port, request, limits.timeoutMs));
          if (whatsup) appendErrorLog(errorLog, whatsup);
        } catch (error) {
          throw new Error(`${(error as Error).message} (${maskPassword(request.split('\r\n')[0]!)})`);
        }
      };
    }
  }
}

export class PluginDispatcher {
  private readonly waiting: PathEvent[] = [];
  private running = 0;
  private idleWaiters: Array<() => void> = [];
  /** Deliveries given up on (failed after retries, or dropped when too many waited). */
  failed = 0;

  constructor(
    readonly name: PluginName,
    private readonly deliver: Delivery,
    private readonly warn: (message: string) => void,
    private readonly concurrency = 4,
    private readonly maxPending = 10_000,
  ) {}

  /** Queues the event and returns at once. */
  submit(event: PathEvent): void {
    if (this.waiting.length >= this.maxPending) {
      const dropped = this.waiting.shift()!;
      this.failed++;
      this.warn(`plugin ${this.name}: ${this.maxPending} deliveries waiting, dropped the one for ${describe(dropped.path)}`);
    }
    this.waiting.push(event);
    this.pump();
  }

  get pending(): number {
    return this.waiting.length + this.running;
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) {
      const event = this.waiting.shift()!;
      this.running++;
      this.deliver(event)
        .catch((error: unknown) => {
          this.failed++;
          this.warn(`plugin ${this.name}: ${event.kind} ${describe(event.path)}: ${(error as Error).message}`);
        })
        .finally(() => {
          this.running--;
          this.pump();
          if (this.pending === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
        });
    }
  }

  idle(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}

function describe(p: PathName): string {
  return typeof p === 'string' ? p : JSON.stringify(concatPath(p).toString('latin1'));
}

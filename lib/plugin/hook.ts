/**
 * The plugin that runs after each synced event (or alone, with `-m`). Deliveries run beside the
 * workers, never inside them: a slow or dead endpoint never slows mirroring. At most
 * `concurrency` deliveries run at once and at most `maxPending` wait; past that the oldest waiting
 * one is dropped, with a warning.
 */
import type { Config } from '../config/types';
import type { PathEvent } from '../events/types';
import { describeName, escapeControls } from '../paths';
import { absolutePathOf } from './command/command';
import type { PluginName } from './config';
import type { Delivery, PluginContext } from './plugin';
import { PLUGINS } from './registry';
import { DELIVERY_DEFAULTS } from './socket/send';

export type { Delivery, PluginContext } from './plugin';

/** The directory a plugin reports paths under: its own `<localpath>`, or `<sersync><localpath>` for command. */
export function pluginWatch(config: Config, name: PluginName): string {
  return name === 'command' ? config.sersync.localpath.watch : config.plugins[name]?.watch ?? config.sersync.localpath.watch;
}

/** The plugin's delivery, from its module in the registry. */
export function createDelivery(name: PluginName, ctx: PluginContext): Delivery {
  const watch = pluginWatch(ctx.config, name);
  return PLUGINS[name].delivery({ ...ctx, limits: ctx.limits ?? DELIVERY_DEFAULTS, watch, abs: (rel) => absolutePathOf(watch, rel) });
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
      this.warn(`plugin ${this.name}: ${this.maxPending} deliveries waiting, dropped the one for ${describeName(dropped.path)}`);
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
          this.warn(`plugin ${this.name}: ${event.kind} ${describeName(event.path)}: ${escapeControls((error as Error).message)}`);
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

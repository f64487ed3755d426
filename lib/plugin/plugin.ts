/** One interface for every plugin: each module (command/, socket/, http/, refreshCDN/) builds its delivery from it. */
import type { Config } from '../config/types';
import type { PathEvent } from '../events/types';
import type { PathName } from '../paths';
import type { Command } from '../command/model';
import type { CommandRunner } from '../runner/shell';
import type { PluginName } from './config';
import type { DeliveryLimits } from './socket/send';

/** Delivers one event; rejects with the reason when it could not. */
export type Delivery = (event: PathEvent) => Promise<void>;

export interface PluginContext {
  readonly config: Config;
  readonly runner: CommandRunner;
  /** Called with each command before it runs; renders it only when it prints it. */
  readonly trace: (command: Command) => void;
  readonly limits?: DeliveryLimits;
  /** Where refreshCDN appends the CDN's `whatsup` replies (sersync2: errorlog.txt in the working directory). */
  readonly errorLog?: string;
}

/** What a plugin module gets: the context with its defaults filled in, and its watched directory. */
export interface DeliveryContext extends PluginContext {
  readonly limits: DeliveryLimits;
  /** The directory the plugin reports paths under. */
  readonly watch: string;
  /** An event's path as the plugin reports it: absolute, under `watch`. */
  abs(rel: PathName): PathName;
}

export interface PluginModule<K extends PluginName = PluginName> {
  readonly name: K;
  /** Builds the delivery; the plugin's own config block is in ctx.config (the config reader required it). */
  delivery(ctx: DeliveryContext): Delivery;
}

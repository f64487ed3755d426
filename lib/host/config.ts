/** `<host hostip port>`: parsed and printed at start, otherwise unused (as in sersync2). */
import type { ElementView } from '../config/element';

export interface HostConfig {
  readonly hostip: string;
  readonly port: number;
}

export const HOST_DEFAULTS: HostConfig = { hostip: 'localhost', port: 8008 };

export function parseHost(view: ElementView | undefined): HostConfig {
  if (!view) return HOST_DEFAULTS;
  view.expect(['hostip', 'port']);
  return { hostip: view.string('hostip', HOST_DEFAULTS.hostip), port: view.port('port', HOST_DEFAULTS.port) };
}

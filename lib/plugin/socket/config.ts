/** `<plugin name="socket">`: `<localpath watch>` with `<deshost ip port>`, told each changed path over TCP. */
import type { ElementView } from '../../config/element';
import { parsePluginLocalpath } from '../localpath';

export interface SocketPluginConfig {
  readonly name: 'socket';
  readonly watch: string;
  readonly deshost: { readonly ip: string; readonly port: number };
}

export function parseSocketPlugin(view: ElementView): SocketPluginConfig {
  const { watch, localpath } = parsePluginLocalpath(view, ['deshost']);
  const deshost = localpath?.one('deshost');
  deshost?.expect(['ip', 'port']);
  if (localpath && !deshost) localpath.problem('MISSING_ELEMENT', 'missing <deshost ip="..." port="..."/>');
  const ip = deshost?.required('ip') ?? '';
  if (deshost?.has('ip') && ip === '') deshost.problem('BAD_VALUE', 'ip must not be empty', 'ip');
  const port = deshost?.required('port') === undefined ? 0 : deshost.port('port', 0);
  return { name: 'socket', watch, deshost: { ip, port } };
}

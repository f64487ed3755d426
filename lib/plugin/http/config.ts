/**
 * `<plugin name="http">`: `<localpath watch>` with `<deshost host url>`. Switched off in 2.5.4;
 * we revive it. `url` is a full http:// URL, or a path on `host` (with an optional `port`).
 */
import type { ElementView } from '../../config/element';
import { parsePluginLocalpath } from '../localpath';

export interface HttpPluginConfig {
  readonly name: 'http';
  readonly watch: string;
  /** Where the form is POSTed. */
  readonly url: URL;
}

export function parseHttpPlugin(view: ElementView): HttpPluginConfig {
  const { watch, localpath } = parsePluginLocalpath(view, ['deshost']);
  const deshost = localpath?.one('deshost');
  deshost?.expect(['host', 'ip', 'port', 'url']);
  if (localpath && !deshost) localpath.problem('MISSING_ELEMENT', 'missing <deshost host="..." url="..."/>');
  let url = new URL('http://127.0.0.1/');
  if (deshost) {
    const raw = deshost.required('url') ?? '/';
    const host = deshost.string('host') || deshost.string('ip');
    const port = deshost.has('port') ? deshost.port('port', 80) : 80;
    try {
      url = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? new URL(raw) : new URL(raw.startsWith('/') ? raw : `/${raw}`, `http://${host || 'missing-host'}:${port}`);
      if (url.protocol !== 'http:') deshost.problem('BAD_VALUE', 'url must be an http:// URL (https is not supported by this plugin)', 'url');
      else if (!/^[a-z]/i.test(raw) && !host) deshost.problem('MISSING_ATTRIBUTE', 'url is a path, so host is needed');
    } catch {
      deshost.problem('BAD_VALUE', 'url is not a valid URL', 'url');
    }
  }
  return { name: 'http', watch, url };
}

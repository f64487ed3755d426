/**
 * `<plugin name="refreshCDN">`: `<localpath watch>` with `<cdninfo domainname port username passwd>`,
 * `<sendurl base>` and `<regexurl regex match>`: purges each changed URL from a CDN.
 */
import type { ElementView } from '../../config/element';
import { compileSersyncRegex } from '../../filter/regex';
import { parsePluginLocalpath } from '../localpath';

export interface RefreshCdnPluginConfig {
  readonly name: 'refreshCDN';
  readonly watch: string;
  readonly cdninfo: { readonly domainname: string; readonly port: number; readonly username: string; readonly passwd: string };
  readonly sendurl: string;
  readonly regexurl: { readonly enabled: boolean; readonly match: string };
}

export function parseRefreshCdnPlugin(view: ElementView): RefreshCdnPluginConfig {
  const { watch, localpath } = parsePluginLocalpath(view, ['cdninfo', 'sendurl', 'regexurl']);
  const cdninfo = localpath?.one('cdninfo');
  cdninfo?.expect(['domainname', 'port', 'username', 'passwd']);
  if (localpath && !cdninfo) localpath.problem('MISSING_ELEMENT', 'missing <cdninfo domainname="..." port="..." username="..." passwd="..."/>');
  const sendurl = localpath?.one('sendurl');
  sendurl?.expect(['base']);
  const regexurl = localpath?.one('regexurl');
  regexurl?.expect(['regex', 'match']);
  const match = regexurl?.string('match') ?? '';
  const regexOn = regexurl?.bool('regex') ?? false;
  if (regexOn) {
    const compiled = compileSersyncRegex(match);
    if (!compiled.ok && regexurl) regexurl.problem('BAD_REGEX', `match "${match}" is not a valid regex: ${compiled.reason}`, 'match');
  }
  return {
    name: 'refreshCDN',
    watch,
    cdninfo: {
      domainname: cdninfo?.required('domainname') ?? '',
      port: cdninfo?.port('port', 80) ?? 80,
      username: cdninfo?.string('username') ?? '',
      passwd: cdninfo?.string('passwd') ?? '',
    },
    sendurl: sendurl?.string('base') ?? '',
    regexurl: { enabled: regexOn, match },
  };
}

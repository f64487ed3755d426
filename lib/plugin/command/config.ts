/** `<plugin name="command">`: `<param prefix suffix ignoreError>` and an include `<filter>`. */
import type { ElementView } from '../../config/element';
import { parsePatternRules, type PatternRule } from '../../filter/config';

export interface CommandPluginConfig {
  readonly name: 'command';
  readonly prefix: string;
  readonly suffix: string;
  /** Appends sersync2's ` >/dev/null 2>&1 ` redirect. */
  readonly ignoreError: boolean;
  readonly filter: { readonly enabled: boolean; readonly includes: readonly PatternRule[] };
}

export function parseCommandPlugin(view: ElementView): CommandPluginConfig {
  view.expect(['name'], ['param', 'filter']);
  const param = view.one('param');
  param?.expect(['prefix', 'suffix', 'ignoreError']);
  if (!param) view.problem('MISSING_ELEMENT', 'missing <param prefix="..." suffix="..." ignoreError="true|false"/>');
  const filter = view.one('filter');
  filter?.expect(['start'], ['include']);
  return {
    name: 'command',
    prefix: param?.string('prefix') ?? '',
    suffix: param?.string('suffix') ?? '',
    ignoreError: param?.bool('ignoreError') ?? false,
    filter: { enabled: filter?.bool('start') ?? false, includes: filter ? parsePatternRules(filter, 'include') : [] },
  };
}

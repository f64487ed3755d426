/** `<filter start>` with `<exclude expression>`: names whose relative path fully matches are not synced. */
import type { ElementView } from '../config/element';
import { compileSersyncRegex } from './regex';

export interface PatternRule {
  /** The expression as written in the config. */
  readonly expression: string;
  /** Compiled, anchored at both ends. */
  readonly regex: RegExp;
}

export interface FilterConfig {
  readonly enabled: boolean;
  readonly excludes: readonly PatternRule[];
}

export function parseFilter(view: ElementView | undefined): FilterConfig {
  if (!view) return { enabled: false, excludes: [] };
  view.expect(['start'], ['exclude']);
  return { enabled: view.bool('start'), excludes: parsePatternRules(view, 'exclude') };
}

/** Reads `<exclude|include expression="REGEX">` children; shared with the command plugin's filter. */
export function parsePatternRules(view: ElementView, childName: string): PatternRule[] {
  const rules: PatternRule[] = [];
  for (const child of view.all(childName)) {
    child.expect(['expression']);
    const expression = child.required('expression');
    if (expression === undefined) continue;
    const compiled = compileSersyncRegex(expression);
    if (compiled.ok) rules.push({ expression, regex: compiled.regex });
    else child.problem('BAD_REGEX', `expression "${expression}" is not a valid regex: ${compiled.reason}`, 'expression');
  }
  return rules;
}

/** Whole-string match against any rule. */
export function matchesAny(rules: readonly PatternRule[], text: string): boolean {
  return rules.some((rule) => rule.regex.test(text));
}

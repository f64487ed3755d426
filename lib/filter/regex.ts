/**
 * sersync's filter expressions are Perl-style regexes that must match the whole string.
 * JavaScript spells a few Perl constructs differently; we translate those and refuse the ones it
 * cannot express, so an expression never silently means something else.
 */

export type RegexResult = { readonly ok: true; readonly regex: RegExp } | { readonly ok: false; readonly reason: string };

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alpha: 'A-Za-z', digit: '0-9', alnum: 'A-Za-z0-9', upper: 'A-Z', lower: 'a-z', space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t', punct: '!-\\/:-@\\[-`{-~', xdigit: '0-9A-Fa-f', word: 'A-Za-z0-9_', cntrl: '\\x00-\\x1f\\x7f',
  print: '\\x20-\\x7e', graph: '\\x21-\\x7e',
};

const UNSUPPORTED: ReadonlyArray<readonly [RegExp, string]> = [
  [/\(\?>/, 'atomic groups (?>...) are not supported'],
  [/\(\?[0-9R+-]/, 'recursion (?R) and subroutine calls are not supported'],
  [/\(\?\(/, 'conditionals (?(...)...) are not supported'],
  [/\\[QE]/, '\\Q...\\E quoting is not supported; escape the characters instead'],
  [/\\[GKX]/, '\\G, \\K and \\X are not supported'],
  [/(?<!\\)(?:[*+?}])\+/, 'possessive quantifiers (*+, ++, ?+) are not supported'],
];

/** Compiles a sersync filter expression into a RegExp anchored at both ends. */
export function compileSersyncRegex(expression: string): RegexResult {
  return translateSersyncRegex(expression, true);
}

/** The same translation; `anchored: false` gives a RegExp that searches (refreshCDN's regexurl). */
export function translateSersyncRegex(expression: string, anchored: boolean): RegexResult {
  for (const [pattern, reason] of UNSUPPORTED) {
    if (pattern.test(stripEscapedBackslashes(expression))) return { ok: false, reason };
  }
  let source = expression;
  let flags = '';
  const inline = /^\(\?([imsx]+)\)/.exec(source);
  if (inline) {
    if (inline[1]!.includes('x')) return { ok: false, reason: 'the (?x) extended mode is not supported' };
    flags = inline[1]!;
    source = source.slice(inline[0].length);
  }
  source = source
    .replace(/\[:(\w+):\]/g, (whole, name: string) => POSIX_CLASSES[name] ?? whole)
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$')
    .replace(/\\Z/g, '(?=\\n?$)');
  try {
    return { ok: true, regex: new RegExp(anchored ? `^(?:${source})$` : source, flags) };
  } catch (error) {
    return { ok: false, reason: (error as Error).message.replace(/^Invalid regular expression: /, '') };
  }
}

/** Removes `\\` pairs so the checks above do not mistake an escaped backslash for an escape. */
function stripEscapedBackslashes(text: string): string {
  return text.replace(/\\\\/g, '');
}

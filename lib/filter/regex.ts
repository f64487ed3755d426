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
  [/\(\?[imsx]*-[imsx]+[:)]/, 'turning flags off with (?-i) is not supported; only a (?i), (?s) or (?m) prefix is'],
  [/\(\?[imsx]+:/, 'flag groups (?i:...) are not supported; only a (?i), (?s) or (?m) prefix is'],
  [/[\s\S]\(\?[imsx]+\)/, 'inline flags such as (?i) are only supported at the very start of the expression'],
  [/\(\?(?:R|[+-]?[0-9]|&)/, 'recursion (?R) and subroutine calls are not supported'],
  [/\(\?#/, 'comments (?#...) are not supported'],
  [/\(\?\|/, 'branch reset groups (?|...) are not supported'],
  [/\(\?P/, 'Python-style (?P...) groups are not supported; write (?<name>...) and \\k<name>'],
  [/\(\?\(/, 'conditionals (?(...)...) are not supported'],
  [/\\[QE]/, '\\Q...\\E quoting is not supported; escape the characters instead'],
  [/\\[GKX]/, '\\G, \\K and \\X are not supported'],
  // A `}` only counts when it closes a {n,m} quantifier: `a}+` is one or more `}`.
  [/(?<!\\)(?:[*+?]|\{[0-9]+(?:,[0-9]*)?\})\+/, 'possessive quantifiers (*+, ++, ?+) are not supported'],
  // Without JavaScript's u flag these would silently be the letters p, x, h...
  [/\\[pP]/, 'Unicode properties \\p{...} are not supported'],
  [/\\x\{/, '\\x{...} code points are not supported; write the character itself'],
  [/\\[hHvVRN]/, '\\h, \\v, \\R and \\N mean something else in JavaScript; use a character class'],
];

/** Compiles a sersync filter expression into a RegExp anchored at both ends. */
export function compileSersyncRegex(expression: string): RegexResult {
  return translateSersyncRegex(expression, true);
}

/** The same translation; `anchored: false` gives a RegExp that searches (refreshCDN's regexurl). */
export function translateSersyncRegex(expression: string, anchored: boolean): RegexResult {
  const stripped = stripEscapedBackslashes(expression);
  const unsupported = UNSUPPORTED.find((entry) => entry[0].test(stripped));
  if (unsupported) return { ok: false, reason: unsupported[1] };
  let source = expression;
  let flags = '';
  const inline = /^\(\?([imsx]+)\)/.exec(source);
  if (inline) {
    if (inline[1]!.includes('x')) return { ok: false, reason: 'the (?x) extended mode is not supported' };
    flags = inline[1]!;
    source = source.slice(inline[0].length);
  }
  let badClass: string | undefined;
  source = source
    .replace(/\[:(\^?)(\w+):\]/g, (whole, negated: string, name: string) => {
      const members = POSIX_CLASSES[name];
      if (members === undefined) badClass ??= `${whole} is not a POSIX class (known: ${Object.keys(POSIX_CLASSES).join(' ')})`;
      else if (negated) badClass ??= `negated POSIX classes are not supported; write [^[:${name}:]]`;
      return members ?? whole;
    })
    // Escapes are taken in pairs, so `\\A` stays a backslash and an A. The lookarounds are exact
    // whatever the flags: (?m) must not turn \A into "start of any line".
    .replace(/\\([\s\S])/g, (pair, c: string) => (c === 'A' ? '(?<![\\s\\S])' : c === 'z' ? '(?![\\s\\S])' : c === 'Z' ? '(?=\\n?(?![\\s\\S]))' : pair));
  if (badClass) return { ok: false, reason: badClass };
  try {
    // Compiled alone first: wrapped, an unbalanced `a)|(b` would escape the anchors and compile.
    const alone = new RegExp(source, flags);
    return { ok: true, regex: anchored ? new RegExp(`^(?:${source})$`, flags) : alone };
  } catch (error) {
    return { ok: false, reason: (error as Error).message.replace(/^Invalid regular expression: \/[\s\S]*\/[a-z]*: /, '') };
  }
}

/** Removes `\\` pairs so the checks above do not mistake an escaped backslash for an escape. */
function stripEscapedBackslashes(text: string): string {
  return text.replace(/\\\\/g, '');
}

/**
 * Where a shell command ends when it spans lines: a newline inside quotes, inside `$(...)` or
 * after a `\` continues the command, as /bin/sh reads it. Used to read fail logs written without
 * our `#lines` count (sersync2's own, or edited by hand), so that an entry is split where the
 * shell would split it and nowhere else. It knows what sersync2's and our commands contain:
 * quotes, backslashes, `$(...)`, and `#` comments; not here-documents or `case` patterns.
 */

type Mode = 'top' | 'subst' | 'double' | 'single';

/** What is still open at the end of a line: nothing (`['top']`) when the command ended there. */
export type ScanState = readonly Mode[];

const COMMAND_START: ScanState = ['top'];

const WORD_BREAK = new Set([undefined, ' ', '\t', ';', '&', '|', '(', ')', '<', '>']);

/** The state after reading `line` (without its newline) in state `state`. */
export function scanLine(line: string, state: ScanState = COMMAND_START): { state: ScanState; continues: boolean } {
  const stack = [...state];
  for (let i = 0; i < line.length; i++) {
    const mode = stack[stack.length - 1]!;
    const ch = line[i]!;
    if (mode === 'single') {
      if (ch === "'") stack.pop();
      continue;
    }
    if (ch === '\\') {
      if (i === line.length - 1) return { state: stack, continues: true }; // a line continuation
      i++;
    } else if (ch === '$' && line[i + 1] === '(') {
      stack.push('subst');
      i++;
    } else if (mode === 'double') {
      if (ch === '"') stack.pop();
    } else if (ch === '"') stack.push('double');
    else if (ch === "'") stack.push('single');
    else if (ch === ')' && mode === 'subst') stack.pop();
    else if (ch === '#' && WORD_BREAK.has(line[i - 1])) break; // a comment, to the end of the line
  }
  return { state: stack, continues: stack.length > 1 };
}

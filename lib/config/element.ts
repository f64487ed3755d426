/**
 * A checked view of one XML element: every read goes through here, so every element module
 * reports problems the same way (file, line, element path, attribute) and keeps going, which
 * lets one run list every problem in a file.
 */
import type { ConfigProblemCode } from './errors';
import type { XmlElement } from './xml';
import { suggest } from './suggest';

export interface ProblemSink {
  problem(line: number, where: string, code: ConfigProblemCode, message: string): void;
  warn(line: number, where: string, message: string): void;
}

export class ElementView {
  constructor(
    private readonly sink: ProblemSink,
    readonly element: XmlElement,
    /** Path of the parent as printed, e.g. `<sersync><rsync>`; empty for children of `<head>`. */
    private readonly parentPath: string,
  ) {}

  get name(): string {
    return this.element.name;
  }

  get line(): number {
    return this.element.line;
  }

  /** `<sersync><rsync>`: the element's path without attributes. */
  get path(): string {
    return `${this.parentPath}<${this.name}>`;
  }

  /** `<sersync><rsync><timeout time="abc">`: the path showing the attribute at fault. */
  where(attribute?: string): string {
    if (attribute === undefined || !(attribute in this.element.attributes)) return this.path;
    const value = this.element.attributes[attribute]!.replace(/"/g, '&quot;');
    return `${this.parentPath}<${this.name} ${attribute}="${value}">`;
  }

  problem(code: ConfigProblemCode, message: string, attribute?: string): void {
    this.sink.problem(this.line, this.where(attribute), code, message);
  }

  warn(message: string): void {
    this.sink.warn(this.line, this.path, message);
  }

  /** Reports attributes and child elements that this element does not have in sersync's schema. */
  expect(attributes: readonly string[], children: readonly string[] = []): void {
    for (const attr of Object.keys(this.element.attributes)) {
      if (attributes.includes(attr)) continue;
      const hint = suggest(attr, attributes);
      const known = attributes.length ? `; known: ${attributes.join(', ')}` : '; it takes none';
      this.sink.problem(this.line, this.where(attr), 'UNKNOWN_ATTRIBUTE', `unknown attribute "${attr}"${hint ? `, did you mean "${hint}"?` : known}`);
    }
    for (const child of this.element.children) {
      if (children.includes(child.name)) continue;
      const hint = suggest(child.name, children);
      const known = children.length ? `; known here: ${children.map((c) => `<${c}>`).join(' ')}` : `; <${this.name}> has no child elements`;
      this.sink.problem(child.line, `${this.path}<${child.name}>`, 'UNKNOWN_ELEMENT', `unknown element${hint ? `, did you mean <${hint}>?` : known}`);
    }
  }

  /** All children of one name, in document order. */
  all(name: string): ElementView[] {
    return this.element.children.filter((c) => c.name === name).map((c) => new ElementView(this.sink, c, this.path));
  }

  /** The single child of that name; a second one is an error (sersync would silently use the first). */
  one(name: string): ElementView | undefined {
    const found = this.all(name);
    for (const extra of found.slice(1)) extra.problem('DUPLICATE_ELEMENT', `duplicate element: <${name}> may appear once here (first at line ${found[0]!.line})`);
    return found[0];
  }

  has(attribute: string): boolean {
    return attribute in this.element.attributes;
  }

  /** Raw attribute value; sersync reads every attribute as a string. */
  string(attribute: string, fallback = ''): string {
    return this.element.attributes[attribute] ?? fallback;
  }

  /** Required attribute: reports it when absent. */
  required(attribute: string): string | undefined {
    const value = this.element.attributes[attribute];
    if (value === undefined) this.problem('MISSING_ATTRIBUTE', `missing attribute "${attribute}"`);
    return value;
  }

  /** `true`/`false` exactly. sersync treats any other text as false; we refuse it instead. */
  bool(attribute: string, fallback = false): boolean {
    const value = this.element.attributes[attribute];
    if (value === undefined) return fallback;
    if (value === 'true') return true;
    if (value === 'false') return false;
    // `start="{{ x }}"` in an Ansible template renders a YAML boolean as Python writes it.
    const ansible = value === 'True' || value === 'False' ? `; "${value}" is how Ansible writes a Python boolean: in the template, write {{ ... | lower }}` : '';
    this.problem('BAD_BOOLEAN', `${attribute} must be "true" or "false"${ansible}`, attribute);
    return fallback;
  }

  /** A decimal integer >= 1, written with digits only. */
  positiveInt(attribute: string, fallback: number): number {
    const value = this.element.attributes[attribute];
    if (value === undefined) return fallback;
    const n = parsePositiveInt(value);
    if (n === undefined) {
      this.problem('BAD_NUMBER', `${attribute} must be a positive integer`, attribute);
      return fallback;
    }
    return n;
  }

  port(attribute: string, fallback: number): number {
    const value = this.element.attributes[attribute];
    if (value === undefined) return fallback;
    const n = parsePositiveInt(value);
    if (n === undefined || n > 65535) {
      this.problem('BAD_PORT', `${attribute} must be a port number from 1 to 65535`, attribute);
      return fallback;
    }
    return n;
  }
}

export function parsePositiveInt(text: string): number | undefined {
  if (!/^\s*[0-9]+\s*$/.test(text)) return undefined;
  const n = Number(text.trim());
  return Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

/** Reads a confxml.xml file into a Config, or throws a ConfigError listing every problem in it. */
import fs from 'node:fs';
import path from 'node:path';
import { parseCrontab } from '../crontab/config';
import { parseDebug } from '../debug/config';
import { parseFailLog } from '../failLog/config';
import { parseFileSystem } from '../fileSystem/config';
import { parseFilter } from '../filter/config';
import { parseHost } from '../host/config';
import { parseInotify } from '../inotify/config';
import { checkOneWatch, parseLocalpath } from '../localpath/config';
import { parsePluginBlocks, parsePluginSwitch, type PluginName } from '../plugin/config';
import { parseRsync } from '../rsync/config';
import { ElementView, type ProblemSink } from './element';
import { ConfigError, formatProblem, type ConfigProblem, type ConfigProblemCode } from './errors';
import type { Config, LoadedConfig } from './types';
import { decodeConfig, parseXml } from './xml';

const HEAD_CHILDREN = ['host', 'debug', 'fileSystem', 'filter', 'inotify', 'sersync', 'plugin'];
const SERSYNC_CHILDREN = ['localpath', 'rsync', 'failLog', 'crontab', 'plugin'];

class Collector implements ProblemSink {
  readonly problems: ConfigProblem[] = [];
  readonly warnings: string[] = [];
  constructor(private readonly file: string) {}
  problem(line: number, where: string, code: ConfigProblemCode, message: string): void {
    this.problems.push({ file: this.file, line, where, code, message });
  }
  warn(line: number, where: string, message: string): void {
    // `FILE:LINE: warning: ...`: the shape of an error, told apart where both are printed.
    this.warnings.push(formatProblem({ file: this.file, line, where: where ? `warning: ${where}` : 'warning', message }));
  }
}

export interface LoadOptions {
  /** Check that the watch directories in use exist (at start, and for --check). */
  readonly checkDirectories?: boolean;
  /** `-m PLUGIN`: this plugin is in use even when `<sersync><plugin>` is off. */
  readonly standalonePlugin?: PluginName | undefined;
}

export function loadConfigFile(file: string, options: LoadOptions = {}): LoadedConfig {
  return parseConfig(readConfigFile(file), path.resolve(file), file, options);
}

/** The file's bytes, or a ConfigError saying why it cannot be read. */
export function readConfigFile(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const reason = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'is a directory' : e.message;
    throw new ConfigError([{ file, line: 0, where: '', code: 'FILE_UNREADABLE', message: `cannot read config file: ${reason}` }]);
  }
}

/** `shownName` is how the file is named in messages: as the operator typed it. */
export function parseConfig(bytes: Uint8Array, file: string, shownName = file, options: LoadOptions = {}): LoadedConfig {
  const sink = new Collector(shownName);
  const fail = (line: number, code: ConfigProblemCode, message: string, where = ''): never => {
    sink.problem(line, where, code, message);
    throw new ConfigError(sink.problems);
  };

  const decoded = decodeConfig(bytes);
  if ('error' in decoded) return fail(1, 'XML_ENCODING', decoded.error);
  const xml = parseXml(decoded.text);
  if (!xml.ok) return fail(xml.line, xml.code, xml.message, xml.where);
  for (const t of xml.tolerances) sink.warn(t.line, t.where, t.message);
  if (xml.root.name !== 'head') return fail(xml.root.line, 'UNKNOWN_ELEMENT', `the root element must be <head>, not <${xml.root.name}>`, `<${xml.root.name}>`);

  const head = new ElementView(sink, xml.root, '');
  head.expect(['version'], HEAD_CHILDREN);
  // Children of <head> are printed without the <head> prefix, as operators read the file.
  const child = (name: string): ElementView | undefined => {
    const found = head.all(name).map((v) => new ElementView(sink, v.element, ''));
    for (const extra of found.slice(1)) extra.problem('DUPLICATE_ELEMENT', `duplicate element: <${name}> may appear once (first at line ${found[0]!.line})`);
    return found[0];
  };

  // Several <sersync> blocks are one problem with several <localpath>s (checkOneWatch).
  const sersyncBlocks = head.all('sersync').map((v) => new ElementView(sink, v.element, ''));
  const sersync = sersyncBlocks[0];
  checkOneWatch(sersyncBlocks);
  if (!sersync) sink.problem(xml.root.line, '<head>', 'MISSING_ELEMENT', 'missing <sersync> element');
  sersync?.expect([], SERSYNC_CHILDREN);

  const host = parseHost(child('host'));
  const debug = parseDebug(child('debug'));
  const fileSystem = parseFileSystem(child('fileSystem'));
  const filter = parseFilter(child('filter'));
  const inotify = parseInotify(child('inotify'));
  const localpath = sersync ? parseLocalpath(sersync, options.standalonePlugin !== undefined) : undefined;
  const rsync = parseRsync(sersync?.one('rsync'));
  const failLog = parseFailLog(sersync?.one('failLog'));
  const crontab = parseCrontab(sersync?.one('crontab'));
  const pluginSwitch = parsePluginSwitch(sersync?.one('plugin'));
  const plugins = parsePluginBlocks(head.all('plugin').map((v) => new ElementView(sink, v.element, '')));

  if (pluginSwitch.enabled && pluginSwitch.name && !plugins[pluginSwitch.name]) {
    const view = sersync!.one('plugin')!;
    view.problem('PLUGIN_UNDEFINED', `plugin "${pluginSwitch.name}" is switched on but there is no <plugin name="${pluginSwitch.name}"> block to configure it`, 'name');
  }

  if (options.checkDirectories && sink.problems.length === 0) {
    const pluginInUse = options.standalonePlugin ?? (pluginSwitch.enabled ? pluginSwitch.name : undefined);
    // The command plugin works in <sersync><localpath>; the others carry their own <localpath>.
    if (!options.standalonePlugin || pluginInUse === 'command') checkDirectory(sersync!.all('localpath')[0]!);
    if (pluginInUse && pluginInUse !== 'command') {
      const block = head.all('plugin').find((v) => v.string('name') === pluginInUse);
      const local = block?.one('localpath');
      if (local) checkDirectory(local);
    }
  }

  // In file order, whichever element module found them first (the sort is stable).
  if (sink.problems.length > 0 || !localpath) throw new ConfigError([...sink.problems].sort((a, b) => a.line - b.line));
  const config: Config = { file, host, debug, fileSystem, filter, inotify, sersync: { localpath, rsync, failLog, crontab, plugin: pluginSwitch }, plugins };
  return { config: deepFreeze(config), warnings: sink.warnings };
}

function checkDirectory(localpath: ElementView): void {
  const watch = localpath.string('watch');
  try {
    if (!fs.statSync(watch).isDirectory()) localpath.problem('MISSING_DIRECTORY', 'watch is not a directory', 'watch');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    localpath.problem('MISSING_DIRECTORY', code === 'ENOENT' ? 'watch directory does not exist' : `watch directory cannot be read (${code})`, 'watch');
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value) && !(value instanceof RegExp) && !(value instanceof URL)) {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}

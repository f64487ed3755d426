/**
 * Golden test of the command builder: for every case of the corpus, the events each step causes
 * (events.json) must turn into exactly the `sh -c` strings sersync2 2.5.4 ran, byte for byte.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseArgs } from '../lib/cli/args';
import { parseConfig } from '../lib/config/load';
import { absolutePathOf, pluginCommand, pluginWants } from '../lib/plugin/command/command';
import { commandSettings, rsyncCommands as rsyncModels } from '../lib/rsync/command';
import { render } from '../lib/command/model';

const rsyncCommands = (...args: Parameters<typeof rsyncModels>) => rsyncModels(...args).map(render);
import { fill, goldenCases, goldenEvents, isRsyncOrPluginCommand, placeholdersFor } from './helpers/golden';
import fs from 'node:fs';
import path from 'node:path';

const cases = goldenCases();
const p = placeholdersFor('/srv/golden');

test('the corpus has its 17 cases, each with events written down', () => {
  assert.equal(cases.length, 17);
  for (const c of cases) assert.equal(goldenEvents(c).length, c.steps.length, c.name);
});

describe('builder reproduces sersync2 2.5.4 commands', () => {
  for (const c of cases) {
    test(c.name, () => {
      const options = parseArgs(c.args.map((a) => fill(a, p)));
      const text = fill(fs.readFileSync(path.join(c.dir, 'confxml.xml'), 'utf8'), p);
      const { config } = parseConfig(Buffer.from(text), p.CONFIG);
      const settings = commandSettings(config);
      const remotes = config.sersync.localpath.remotes;
      const standalone = options.plugin;
      const commandPlugin = config.plugins.command;
      const pluginOn = standalone === 'command' || (config.sersync.plugin.enabled && config.sersync.plugin.name === 'command');
      // A failing rsync (case 12, 17) is run once more by the retry thread.
      const attempts = c.rsyncExit === undefined || c.rsyncExit === 0 || c.rsyncExit === 23 ? 1 : 2;

      const startup = options.fullSyncAtStart && !config.filter.enabled && !standalone ? rsyncCommands(settings, remotes, { kind: 'full' }) : [];
      assert.deepEqual(startup, c.startup.filter(isRsyncOrPluginCommand).map((s) => fill(s, p)), 'startup');

      goldenEvents(c).forEach((events, i) => {
        const produced: string[] = [];
        for (const event of events) {
          if (!standalone) for (let n = 0; n < attempts; n++) produced.push(...rsyncCommands(settings, remotes, event));
          const abs = absolutePathOf(config.sersync.localpath.watch, event.path);
          if (pluginOn && commandPlugin && pluginWants(commandPlugin, abs)) produced.push(render(pluginCommand(commandPlugin, abs)));
        }
        const expected = c.steps[i]!.commands.map((s) => fill(s, p));
        assert.deepEqual(produced.sort(), [...expected].sort(), `step ${i}: ${c.steps[i]!.run}`);
      });
    });
  }
});

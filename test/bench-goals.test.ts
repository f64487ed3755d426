/** bench/goals.ts: the goals against the reference sersync2 and the storms' tail, judged from table rows. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeGoals } from '../bench/goals';
import { crashed, ok, timeout, type Outcome } from '../bench/outcome';
import type { Row } from '../bench/scenarios/types';
import type { ToolId } from '../bench/tools/types';

const row = (key: string, cells: Partial<Record<ToolId, Outcome>>): Row => ({ key, scenario: key, metric: key, unit: 's', cells });
const verdict = (rows: Row[], goal: string) => {
  const r = judgeGoals(rows).find((g) => g.goal === goal);
  assert.ok(r, `a goal named "${goal}"`);
  return r;
};

test('compat against sersync2: a ratio of medians, with a bound when compat timed out', () => {
  assert.equal(verdict([row('storm-mkdir.time', { compat: ok(2), sersync2: ok(2.5) })], 'compat storm mkdir converged ≤ 1.0× sersync2').verdict, 'met');
  const missed = verdict([row('burst-2000.time', { compat: timeout(0.7, 25.1), sersync2: ok(4.9) })], 'compat burst 2000 ≤ 1.0× sersync2');
  assert.equal(missed.verdict, 'missed');
  assert.match(missed.detail, /more than 25.100 s/);
});

test('a sersync2 that crashed never converged: compat, which did, meets the goal', () => {
  const r = verdict([row('storm-deep.time', { compat: ok(9), sersync2: crashed(new Error('killed by SIGABRT')) })], 'compat storm deep converged ≤ 1.0× sersync2');
  assert.equal(r.verdict, 'met');
  assert.match(r.detail, /sersync2 crashed \(killed by SIGABRT\)/);
});

test('without sersync2 the goals against it are n/a, saying why', () => {
  const r = verdict([row('storm-all.time', { compat: ok(9) })], 'compat storm all converged ≤ 1.0× sersync2');
  assert.equal(r.verdict, 'not measured');
  assert.match(r.detail, /SERSYNC2_REF/);
  const startup = verdict([row('startup-20000.time', { compat: ok(0.5) })], 'compat start-up of 20,000 dirs ≤ 1.0× sersync2');
  assert.equal(startup.verdict, 'met', 'against the figure measured before');
  assert.equal(verdict([row('startup-20000.time', { compat: ok(0.5), sersync2: ok(0.3) })], 'compat start-up of 20,000 dirs ≤ 1.0× sersync2').verdict, 'missed');
});

test('the tail: the last entry within 2 s of the median entry', () => {
  const goal = 'compat storm all: after the last operation, the last entry arrives within 2 s of the median entry';
  assert.equal(verdict([row('storm-all.tail-gap', { compat: ok(1.9) })], goal).verdict, 'met');
  assert.equal(verdict([row('storm-all.tail-gap', { compat: ok(2.1) })], goal).verdict, 'missed');
  assert.equal(verdict([row('storm-all.tail-gap', { compat: timeout(0.5) })], goal).verdict, 'missed');
});

test('instances: 20 in one process against one alone, on the same tool', () => {
  const pss = 'instances: PSS of 20 in one process ≤ 1.5× one instance alone';
  assert.equal(verdict([row('instances-one.pss', { compat: ok(54) }), row('instances-alone.pss', { compat: ok(36) })], pss).verdict, 'met');
  assert.equal(verdict([row('instances-one.pss', { compat: ok(55) }), row('instances-alone.pss', { compat: ok(36) })], pss).verdict, 'missed');
  assert.equal(verdict([row('instances-one.pss', { compat: ok(55) })], pss).verdict, 'not measured');
  const iso = 'isolation (batch): a burst into A while B storms, one process, ≤ 1.1× A alone';
  assert.equal(verdict([row('isolation-one.time', { batch: timeout(0.5) }), row('isolation-alone.time', { batch: ok(0.1) })], iso).verdict, 'missed');
});

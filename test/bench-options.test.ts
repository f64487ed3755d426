/** bench/options.ts: the reference is a tool only when SERSYNC2_REF names it; `storm` is the three storms. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { benchOptions } from '../bench/options';

test('without SERSYNC2_REF the tools are those of before, and naming sersync2 is refused', () => {
  const o = benchOptions({});
  assert.deepEqual(o.tools, ['compat', 'batch', 'lsyncd', 'loop']);
  assert.equal(o.sersync2Ref, undefined);
  assert.throws(() => benchOptions({ BENCH_TOOLS: 'compat,sersync2' }), /SERSYNC2_REF/);
});

test('SERSYNC2_REF must be an executable file; given, sersync2 joins the tools', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-options-'));
  try {
    const bin = path.join(dir, 'sersync2');
    fs.writeFileSync(bin, '#!/bin/sh\n', { mode: 0o644 });
    assert.throws(() => benchOptions({ SERSYNC2_REF: bin }), /SERSYNC2_REF: expected the sersync2 2.5.4 executable/);
    assert.throws(() => benchOptions({ SERSYNC2_REF: dir }), /SERSYNC2_REF/);
    fs.chmodSync(bin, 0o755);
    assert.deepEqual(benchOptions({ SERSYNC2_REF: bin }).tools, ['compat', 'batch', 'lsyncd', 'loop', 'sersync2']);
    assert.deepEqual(benchOptions({ SERSYNC2_REF: bin, BENCH_TOOLS: 'sersync2,compat' }).tools, ['compat', 'sersync2']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('BENCH_ONLY=storm stands for the three storms, each of which can be named alone', () => {
  assert.deepEqual(benchOptions({ BENCH_ONLY: 'storm,burst' }).only, ['burst', 'storm-all', 'storm-mkdir', 'storm-deep']);
  assert.deepEqual(benchOptions({ BENCH_ONLY: 'storm-deep' }).only, ['storm-deep']);
  assert.throws(() => benchOptions({ BENCH_ONLY: 'storms' }), /unknown name `storms`/);
});

test('compat and sersync2 run every storm, batch at least `all`', () => {
  const { tools } = benchOptions({}).storm;
  for (const mix of ['all', 'mkdir', 'deep'] as const) {
    assert.ok(tools[mix].includes('compat') && tools[mix].includes('sersync2'), mix);
  }
  assert.ok(tools.all.includes('batch'));
});

test('BENCH_ONLY=instances selects the many-instances scenario, 20 instances of 1,000 directories at full size', () => {
  const o = benchOptions({ BENCH_ONLY: 'instances' });
  assert.deepEqual(o.only, ['instances']);
  assert.equal(o.instances.count, 20);
  assert.equal(o.instances.dirs, 1000);
});

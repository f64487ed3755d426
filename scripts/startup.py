#!/usr/bin/env python3
"""Start-up cost of sersync2 builds: CPU time per run (mean) and the best wall time, for
`--version` and `--check` of the stock config. Usage: scripts/startup.py [EXE ...] (default: the
single executable of `make dist` and bin/sersync2). CPU time is the steadier figure on a busy host."""
import json, os, resource, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VERSION = json.load(open(os.path.join(ROOT, 'package.json')))['version']
CONFIG = os.path.join(ROOT, 'fixtures', 'golden', 'stock-confxml.xml')
RUNS = 20

def measure(cmd):
    best = float('inf')
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for _ in range(RUNS):
        start = time.monotonic()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd='/tmp')
        best = min(best, time.monotonic() - start)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) / RUNS
    print(f'cpu {cpu * 1000:5.0f} ms  best wall {best * 1000:5.0f} ms  {" ".join(cmd)}')

exes = sys.argv[1:] or [os.path.join(ROOT, 'dist', f'sersync2-{VERSION}-linux-x64', 'sersync2'), os.path.join(ROOT, 'bin', 'sersync2')]
for exe in exes:
    measure([exe, '--version'])
    measure([exe, '--check', '-o', CONFIG])
measure(['node', '-e', '0'])

# sersync2 (TypeScript). `make` installs dependencies and builds; `make test` runs every test.
PREFIX ?= /usr/local
DESTDIR ?=
LIBDIR = $(DESTDIR)$(PREFIX)/lib/sersync2
BINDIR = $(DESTDIR)$(PREFIX)/bin
MANDIR = $(DESTDIR)$(PREFIX)/share/man/man1
UNITDIR = $(DESTDIR)$(PREFIX)/lib/systemd/system
DOCDIR = $(DESTDIR)$(PREFIX)/share/doc/sersync2


.PHONY: all build deps system-deps test-deps bench-deps test demo bench soak install uninstall clean dist deb release-test

all: build

node_modules/.installed: package.json package-lock.json binding.gyp $(wildcard native/*.c native/*.h)
	npm ci
	touch $@

deps: node_modules/.installed

build: deps
	npx tsc -p tsconfig.json

# rsync: the real daemon the tests and the demo mirror to; shellcheck: the init script's POSIX check.
system-deps:
	sh scripts/system-deps.sh rsync:rsync

test-deps:
	sh scripts/system-deps.sh rsync:rsync shellcheck:shellcheck

test: build test-deps
	node --test --test-concurrency=2 dist/test/*.test.js

# The long runs: test/storm.test.ts and test/workload.test.ts (20,000 operations each), lsyncd's churn
# with its published 1 s sleeps (test/churn.test.ts), test/fuzz.test.ts (2000+ configs). Hours, not minutes:
# compat mode runs one rsync per event.
soak: build test-deps
	SOAK=1 node --test --test-concurrency=1 dist/test/storm.test.js dist/test/workload.test.js dist/test/churn.test.js dist/test/fuzz.test.js

demo: build system-deps
	bash scripts/demo.sh

# Ours (compat and batch) against lsyncd, the inotifywait + whole-tree rsync loop and, with SERSYNC2_REF=/path/to/sersync2,
# the original sersync2 2.5.4 (bench/README.md), 3 runs each; about 20 minutes, 22 with sersync2 (limit 25; BENCH_QUICK=1:
# about 2.5). Prints the table and writes bench/results/YYYY-MM-DD-HHMM.{json,md,svg}.
bench-deps:
	sh scripts/bench-deps.sh

bench: build bench-deps
	node dist/bench/main.js

# Only the compiled program (dist/lib) and the production dependencies are installed: the
# staged node_modules is pruned of dev dependencies offline (no registry, no rebuild).
# The unit file's /usr/local/bin is rewritten to $(PREFIX)/bin; the init script and the sysctl
# snippet are examples, installed as docs.
install: build
	rm -rf $(LIBDIR)
	install -d $(LIBDIR)/dist $(BINDIR) $(MANDIR) $(UNITDIR) $(DOCDIR)
	cp -r package.json package-lock.json node_modules $(LIBDIR)/
	cp -r dist/lib $(LIBDIR)/dist/
	cd $(LIBDIR) && npm prune --omit=dev --ignore-scripts --no-audit --no-fund --offline >/dev/null && rm -f package-lock.json && find node_modules -type d -empty -delete
	install -d $(LIBDIR)/build/Release $(LIBDIR)/bin
	install -m 0755 build/Release/inotify.node $(LIBDIR)/build/Release/
	install -m 0755 build/Release/spawn.node $(LIBDIR)/build/Release/
	install -m 0755 bin/sersync2 $(LIBDIR)/bin/sersync2
	ln -sf ../lib/sersync2/bin/sersync2 $(BINDIR)/sersync2
	install -m 0644 man/sersync2.1 $(MANDIR)/sersync2.1
	sed 's#/usr/local/bin/sersync2#$(PREFIX)/bin/sersync2#g' packaging/systemd/sersync2@.service > $(UNITDIR)/sersync2@.service
	chmod 0644 $(UNITDIR)/sersync2@.service
	sed 's#/usr/local/bin/sersync2#$(PREFIX)/bin/sersync2#g' packaging/systemd/sersync2.service > $(UNITDIR)/sersync2.service
	chmod 0644 $(UNITDIR)/sersync2.service
	install -m 0755 packaging/init.d/sersync2 $(DOCDIR)/sersync2.init
	install -m 0644 packaging/sysctl.d/60-sersync2.conf README.md COMPATIBILITY.md confxml.xml $(DOCDIR)/

# Release artefacts, offline, not part of `make test` (they take a while; 2 shared cores, loaded):
# dist: dist/sersync2-VERSION-linux-x64.tar.gz, one executable with Node inside (about 30 s);
# deb: dist/sersync2_VERSION_amd64.deb around that executable (about 20 s more);
# release-test: test/release.test.ts builds both, unpacks them and runs them without node on PATH.
dist: build
	sh scripts/dist.sh

deb: dist
	sh scripts/deb.sh

release-test: build
	SERSYNC2_RELEASE=1 node --test dist/test/release.test.js

uninstall:
	rm -rf $(LIBDIR) $(BINDIR)/sersync2 $(MANDIR)/sersync2.1 $(UNITDIR)/sersync2@.service $(UNITDIR)/sersync2.service $(DOCDIR)

clean:
	rm -rf dist build node_modules

# sersync2 (TypeScript). `make` installs dependencies and builds; `make test` runs every test.
PREFIX ?= /usr/local
DESTDIR ?=
LIBDIR = $(DESTDIR)$(PREFIX)/lib/sersync2
BINDIR = $(DESTDIR)$(PREFIX)/bin


.PHONY: all build deps system-deps test demo bench soak install uninstall clean

all: build

node_modules/.installed: package.json package-lock.json binding.gyp native/inotify.c
	npm ci
	touch $@

deps: node_modules/.installed

build: deps
	npx tsc -p tsconfig.json

system-deps:
	sh scripts/system-deps.sh

test: build system-deps
	node --test --test-concurrency=2 dist/test/*.test.js

demo: build system-deps
	bash scripts/demo.sh

install: build
	install -d $(LIBDIR) $(BINDIR)
	cp -r package.json dist node_modules $(LIBDIR)/
	install -d $(LIBDIR)/build/Release $(LIBDIR)/bin
	install -m 0755 build/Release/inotify.node $(LIBDIR)/build/Release/
	install -m 0755 bin/sersync2 $(LIBDIR)/bin/sersync2
	ln -sf ../lib/sersync2/bin/sersync2 $(BINDIR)/sersync2

uninstall:
	rm -rf $(LIBDIR) $(BINDIR)/sersync2

clean:
	rm -rf dist build node_modules

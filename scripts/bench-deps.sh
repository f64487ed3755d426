#!/bin/sh
# Installs the programs `make bench` compares against, when they are missing: Debian's lsyncd
# (the incumbent) and inotify-tools (inotifywait, for the plain inotifywait + rsync loop), plus
# rsync itself. A benchmark without its peers would print a table of n/a, so it fails instead.
exec sh "$(dirname "$0")/system-deps.sh" rsync:rsync lsyncd:lsyncd inotifywait:inotify-tools

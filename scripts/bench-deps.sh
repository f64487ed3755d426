#!/bin/sh
# Installs the programs `make bench` compares against, when they are missing: Debian's lsyncd
# (the incumbent) and inotify-tools (inotifywait, for the plain inotifywait + rsync loop), plus
# rsync itself. Needs root for apt-get; otherwise it says what to install and fails, since a
# benchmark without its peers would print a table of n/a.
set -eu
missing=""
command -v rsync >/dev/null 2>&1 || missing="$missing rsync"
command -v lsyncd >/dev/null 2>&1 || missing="$missing lsyncd"
command -v inotifywait >/dev/null 2>&1 || missing="$missing inotify-tools"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing:$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
else
  echo "missing:$missing; install it (for example: sudo apt-get install$missing)" >&2
  exit 1
fi

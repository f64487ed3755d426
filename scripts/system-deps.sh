#!/bin/sh
# Installs the system programs the tests and the demo use, when they are missing: rsync (the real
# daemon the tests mirror to). Needs root for apt-get; otherwise it says what to install.
set -eu
missing=""
command -v rsync >/dev/null 2>&1 || missing="$missing rsync"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing:$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
else
  echo "missing:$missing; install it (for example: sudo apt-get install$missing)" >&2
  exit 1
fi

#!/bin/sh
# Installs the system programs the project uses when they are missing, with apt-get as root;
# otherwise it says what to install and fails. Arguments are COMMAND:PACKAGE pairs; with none,
# what the tests and the demo need: rsync (the real daemon the tests mirror to).
set -eu
[ $# -gt 0 ] || set -- rsync:rsync
missing=""
for pair in "$@"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing="$missing ${pair#*:}"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing:$missing"
  apt-get update -qq
  # shellcheck disable=SC2086 # a list of package names, split on purpose
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
else
  echo "missing:$missing; install it (for example: sudo apt-get install$missing)" >&2
  exit 1
fi

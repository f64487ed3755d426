#!/bin/bash
# The plain inotifywait loop, the baseline: what a how-to sets up instead of a mirroring
# daemon, `inotifywait -mr ... | while read; do rsync -a --delete src/ dst; done`. Every event
# line starts one whole-tree rsync; before it, the lines already queued are drained (read with a
# 10 ms timeout), so a burst costs a few whole-tree rsyncs instead of one per event (the loop as
# written would still be running hours later, and would measure nothing but that).
# Usage: inotifywait-loop.sh WATCH_DIR RSYNC_TARGET
# Flags as ours: -rlptgoD (archive) -u, --delete, no compression, TCP_NODELAY on the daemon socket
# as our batch mode and lsyncd get; output dropped, as ours does.
set -u
watch=${1%/}
target=$2
inotifywait -m -r -e close_write,create,delete,moved_to,moved_from,attrib --format '%w%f' "$watch" |
  while read -r _; do
    while read -r -t 0.01 _; do :; done
    rsync -rlptgoD -u --delete --sockopts=TCP_NODELAY -- "$watch/" "$target" >/dev/null 2>&1
  done

#!/bin/bash
# The plain inotifywait loop, the baseline: what a how-to sets up instead of a mirroring daemon.
# One rsync per event line, in order, nothing merged, nothing retried.
# Usage: inotifywait-loop.sh WATCH_DIR RSYNC_TARGET
# Flags as ours and lsyncd's: archive, update, no compression; output dropped, as ours does.
set -u
watch=${1%/}
target=$2
cd "$watch" || exit 1
inotifywait -m -r -e close_write,create,delete,moved_to,moved_from --format '%e %w%f' "$watch" |
  while IFS=' ' read -r events file; do
    rel=${file#"$watch"/}
    case ",$events," in
      *,DELETE,* | *,MOVED_FROM,*)
        # Gone: sync its parent one level deep with --delete (-d, since -a's -r would resend the subtree).
        parent=${rel%/*}
        [ "$parent" = "$rel" ] && parent=.
        rsync -lptgoDu -d --delete -R -- "./$parent/" "$target" >/dev/null 2>&1
        ;;
      *)
        # Created or written: the path, recursively for a directory (files may predate its watch).
        rsync -artu -R -- "./$rel" "$target" >/dev/null 2>&1
        ;;
    esac
  done

#!/usr/bin/env bash
# The live demo: a loopback rsync daemon, sersync2 in the foreground on a demo tree, a few files
# written and shown mirrored. Runs until Ctrl-C, then cleans up everything it made.
set -euo pipefail
cd "$(dirname "$0")/.."
demo=$(mktemp -d /tmp/sersync2-demo.XXXXXX)
watch="$demo/www"; remote="$demo/remote"
mkdir -p "$watch" "$remote"
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
cat > "$demo/rsyncd.conf" <<CONF
$( [ "$(id -u)" = 0 ] && printf 'uid = root\ngid = root\n' )
use chroot = no
max connections = 0
pid file = $demo/rsyncd.pid
log file = $demo/rsyncd.log
[demo]
  path = $remote
  read only = no
  munge symlinks = no
CONF
rsync --daemon --config="$demo/rsyncd.conf" --port="$port" --address=127.0.0.1
# The default confxml.xml, pointed at the demo tree and the loopback daemon.
sed -e "s#<localpath watch=\"/opt/tongbu\">#<localpath watch=\"$watch\">#" \
    -e 's#<remote ip="127.0.0.1" name="tongbu1"/>#<remote ip="127.0.0.1" name="demo"/>#' \
    -e "s#<userDefinedPort start=\"false\" port=\"874\"/>#<userDefinedPort start=\"true\" port=\"$port\"/>#" \
    -e "s#path=\"/tmp/rsync_fail_log.sh\"#path=\"$demo/rsync_fail_log.sh\"#" confxml.xml > "$demo/confxml.xml"

pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  [ -f "$demo/rsyncd.pid" ] && kill "$(cat "$demo/rsyncd.pid")" 2>/dev/null || true
  rm -rf "$demo"
  echo "demo: cleaned up $demo"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

echo "demo: rsync daemon on 127.0.0.1:$port, module demo -> $remote"
SERSYNC2_SYSCTL=0 bin/sersync2 -r -o "$demo/confxml.xml" --status-file "$demo/status.json" --status-interval 1 > >(tee "$demo/sersync2.log") 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  grep -qs "watch path is:" "$demo/sersync2.log" && break
  kill -0 "$pid" 2>/dev/null || { echo "demo: sersync2 did not start" >&2; exit 1; }
  sleep 0.1
done

echo "demo: writing files into $watch"
mkdir -p "$watch/site/css"
echo '<h1>hello from sersync2</h1>' > "$watch/site/index.html"
echo 'body { color: teal }' > "$watch/site/css/app.css"
echo 'a file name with spaces and $dollar' > "$watch/site/notes and \$dollar.txt"
for i in $(seq 1 20); do echo "log line $i" >> "$watch/site/app.log"; done
for _ in $(seq 1 100); do
  diff -r "$watch" "$remote" >/dev/null 2>&1 && break
  sleep 0.1
done
echo "demo: the remote side now holds:"
(cd "$remote" && find . -type f -exec sh -c 'printf "  %s (%s bytes)\n" "$1" "$(wc -c < "$1")"' _ {} \;)
diff -r "$watch" "$remote" && echo "demo: local and remote trees are identical"
# SIGUSR1 rewrites the status file now; the pretty-printer is what operators run.
kill -USR1 "$pid"
echo "demo: sersync2 --status $demo/status.json"
bin/sersync2 --status "$demo/status.json" | sed 's/^/  /'
echo "demo: sersync2 keeps watching $watch; change files there and watch $remote follow. Ctrl-C to stop."
wait "$pid"

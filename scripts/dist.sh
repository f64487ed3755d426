#!/bin/sh
# make dist: dist/sersync2-VERSION-linux-x64.tar.gz with one executable, sersync2, that needs no
# Node: Node's single executable application (--experimental-sea-config + postject) running the
# program bundled into one file (esbuild), the two addons inside as assets. Offline.
set -eu
cd "$(dirname "$0")/.."
VERSION=$(node -p 'require("./package.json").version')
SEA=dist/sea
NAME=sersync2-$VERSION-linux-x64
rm -rf "$SEA" "dist/$NAME" "dist/$NAME.tar.gz"
mkdir -p "$SEA"
# SEA's require loads only Node's own modules: everything else goes into the bundle. debug's
# optional supports-color is replaced by an empty module rather than looked for at run time.
npx esbuild dist/lib/sea/main.js --bundle --platform=node --target=node20 --format=cjs \
  --alias:supports-color=./scripts/sea/empty.cjs --log-level=warning --outfile="$SEA/sersync2.js"
cat > "$SEA/sea-config.json" <<JSON
{
  "main": "$SEA/sersync2.js",
  "output": "$SEA/sersync2.blob",
  "disableExperimentalSEAWarning": true,
  "useCodeCache": true,
  "assets": { "inotify.node": "build/Release/inotify.node", "spawn.node": "build/Release/spawn.node" }
}
JSON
quiet() { "$@" >"$SEA/step.log" 2>&1 || { cat "$SEA/step.log" >&2; exit 1; }; }
quiet node --experimental-sea-config "$SEA/sea-config.json"
cp "$(command -v node)" "$SEA/sersync2"
chmod u+w "$SEA/sersync2"
# Node's symbols and debug info: 12 MB nobody running sersync2 needs.
if command -v strip >/dev/null; then strip --strip-all "$SEA/sersync2"; fi
# The fuse is Node's documented sentinel for SEA; postject warns about ELF notes, harmlessly.
quiet npx postject "$SEA/sersync2" NODE_SEA_BLOB "$SEA/sersync2.blob" --sentinel-fuse NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2
"$SEA/sersync2" --version >/dev/null
mkdir -p "dist/$NAME"
install -m 0755 "$SEA/sersync2" "dist/$NAME/sersync2"
install -m 0644 confxml.xml README.md "dist/$NAME/"
# Same bytes for the same inputs: names sorted, owner root, times from the last commit.
MTIME=$(git log -1 --format=%cI 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="$MTIME" -C dist -czf "dist/$NAME.tar.gz" "$NAME"
echo "dist/$NAME.tar.gz: $(du -h "dist/$NAME.tar.gz" | cut -f1), sersync2 $(du -h "dist/$NAME/sersync2" | cut -f1)"

#!/bin/sh
# make deb: dist/sersync2_VERSION_amd64.deb, built offline with dpkg-deb around the single
# executable of `make dist` (so no Node dependency). Layout:
#   /usr/lib/sersync2/sersync2            the program      /usr/bin/sersync2 -> it
#   /usr/lib/systemd/system/sersync2@.service              /usr/lib/sysctl.d/60-sersync2.conf
#   /usr/share/man/man1/sersync2.1.gz                      /usr/share/doc/sersync2/ (README,
#   examples/confxml.xml, examples/sersync2.init, copyright)
# Maintainer scripts: systemctl daemon-reload where systemd runs, nothing else.
set -eu
cd "$(dirname "$0")/.."
VERSION=$(node -p 'require("./package.json").version')
EXE=dist/sersync2-$VERSION-linux-x64/sersync2
[ -x "$EXE" ] || { echo "deb: $EXE is missing; run make dist first" >&2; exit 1; }
STAGE=dist/deb/sersync2_${VERSION}_amd64
OUT=dist/sersync2_${VERSION}_amd64.deb
rm -rf dist/deb "$OUT"
DOC=$STAGE/usr/share/doc/sersync2
install -d "$STAGE/DEBIAN" "$STAGE/usr/lib/sersync2" "$STAGE/usr/bin" "$STAGE/usr/lib/systemd/system" \
  "$STAGE/usr/lib/sysctl.d" "$STAGE/usr/share/man/man1" "$DOC/examples"
install -m 0755 "$EXE" "$STAGE/usr/lib/sersync2/sersync2"
ln -s ../lib/sersync2/sersync2 "$STAGE/usr/bin/sersync2"
# The single executable has no #! line to give V8 bin/sersync2's flags (a small young generation:
# 10 to 45 MB less at 20,000 to 100,000 watches; gc, run once after the start-up walk); it honours
# NODE_OPTIONS, so the unit sets them (quoted: systemd splits an unquoted Environment= at spaces).
for unit in sersync2@.service sersync2.service; do
  sed -e 's#/usr/local/bin/sersync2#/usr/bin/sersync2#g' \
    -e '/^Environment=SERSYNC2_SYSCTL=0$/a Environment="NODE_OPTIONS=--max-semi-space-size=1 --expose-gc"' \
    "packaging/systemd/$unit" > "$STAGE/usr/lib/systemd/system/$unit"
done
install -m 0644 packaging/sysctl.d/60-sersync2.conf "$STAGE/usr/lib/sysctl.d/"
gzip -9n < man/sersync2.1 > "$STAGE/usr/share/man/man1/sersync2.1.gz"
install -m 0644 README.md COMPATIBILITY.md SECURITY.md "$DOC/"
install -m 0644 confxml.xml "$DOC/examples/confxml.xml"
install -m 0644 packaging/init.d/sersync2 "$DOC/examples/sersync2.init"
printf 'sersync2 (TypeScript), a drop-in replacement for sersync2 2.5.4.\nLicense: MIT (see package.json). Includes Node.js (MIT and bundled licenses).\n' > "$DOC/copyright"
find "$STAGE/usr" -type f -exec chmod go-w {} +
SIZE=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
sed "s/@VERSION@/$VERSION/; s/@SIZE@/$SIZE/" packaging/deb/control > "$STAGE/DEBIAN/control"
install -m 0755 packaging/deb/postinst packaging/deb/postrm "$STAGE/DEBIAN/"
(cd "$STAGE" && find usr -type f -exec md5sum {} + | sort -k2) > "$STAGE/DEBIAN/md5sums"
# gzip: every dpkg reads it, and it is several times faster than xz on 80 MB.
dpkg-deb --root-owner-group -Zgzip --build "$STAGE" "$OUT" >/dev/null
echo "$OUT: $(du -h "$OUT" | cut -f1)"

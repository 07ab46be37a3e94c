#!/bin/sh
# Vendors the State's chart components (@gouvfr/dsfr-chart) into static/vendor/dsfr-chart/ from the npm
# package, checked against its pinned integrity (no CDN at run time). Run by `make vendor-dsfr-chart`;
# the copied files are committed. To upgrade: change VERSION and INTEGRITY (`npm view
# @gouvfr/dsfr-chart@<version> dist.integrity`), run it, look at the diff, try the dashboard.
set -eu

VERSION=2.0.4
INTEGRITY=sha512-/JoW6R7ystExxvuLvHacR0ZWcL1PpDkUyG/niF8jgqRaksWgb31EpJGQjmgaHR29nrANdyvoRb1DEQAL00XZ1A==
# Only the bar chart is used (one Vue runtime, not the 750 kB bundle of every chart).
COMPOSANTS="BarChart"

cd "$(dirname "$0")/.."
DEST=static/vendor/dsfr-chart
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

npm pack --silent --pack-destination "$TMP" "@gouvfr/dsfr-chart@$VERSION" >/dev/null
ARCHIVE="$TMP/gouvfr-dsfr-chart-$VERSION.tgz"
CALCULE="sha512-$(openssl dgst -sha512 -binary "$ARCHIVE" | base64 -w0)"
if [ "$CALCULE" != "$INTEGRITY" ]; then
  echo "Intégrité de @gouvfr/dsfr-chart@$VERSION invalide : $CALCULE (attendu $INTEGRITY)" >&2
  exit 1
fi
tar -xzf "$ARCHIVE" -C "$TMP"

rm -rf "$DEST"
mkdir -p "$DEST"
for composant in $COMPOSANTS; do
  mkdir -p "$DEST/$composant"
  cp "$TMP/package/dist/$composant/$composant.js" "$TMP/package/dist/$composant/$composant.css" "$DEST/$composant/"
done
cp "$TMP/package/LICENSE" "$DEST/LICENSE"
printf '@gouvfr/dsfr-chart %s (%s)\n' "$VERSION" "$INTEGRITY" > "$DEST/VERSION"
echo "@gouvfr/dsfr-chart $VERSION copié dans $DEST ($COMPOSANTS)."

#!/usr/bin/env bash
# console-assets.sh installs the console's pinned front-end packages with npm
# (services/console/web: package.json and package-lock.json, committed) and
# copies what the console and its browser tests use into the tree:
#
#   services/console/internal/web/static/govuk/  GOV.UK Frontend's compiled CSS, JS, fonts, images
#   services/console/browsertest/testdata/axe.min.js  axe-core, injected into every page under test
#
# The copies are committed, so building the console needs no npm; make
# generate runs this and make verify fails when a copy differs from the
# package the lockfile pins.
set -euo pipefail

if ! command -v npm >/dev/null; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "console-assets: npm is not installed and we are not root: install Debian's npm package (apt-get install npm)" >&2
    exit 1
  fi
  echo "console-assets: installing Debian's npm package (once)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends npm >&2
fi

root=$(cd "$(dirname "$0")/.." && pwd)
web=$root/services/console/web
cd "$web"
# npm ci installs exactly the lockfile, and fails if package.json disagrees
# with it. No install scripts run: these packages need none.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2

dist=$web/node_modules/govuk-frontend/dist/govuk
dest=$root/services/console/internal/web/static/govuk
rm -rf "$dest"
mkdir -p "$dest"
cp "$dist/govuk-frontend.min.css" "$dist/govuk-frontend.min.js" "$dest/"
# The stylesheet loads fonts and images from /assets/{fonts,images}/, where
# the console serves this directory's.
cp -R "$dist/assets/fonts" "$dist/assets/images" "$dist/assets/manifest.json" "$dest/"
# Its package.json says which version this is (MIT licensed); it is not served.
cp "$web/node_modules/govuk-frontend/package.json" "$dest/package.json"

mkdir -p "$root/services/console/browsertest/testdata"
cp "$web/node_modules/axe-core/axe.min.js" "$root/services/console/browsertest/testdata/axe.min.js"
cp "$web/node_modules/axe-core/LICENSE" "$root/services/console/browsertest/testdata/axe-core.LICENSE"

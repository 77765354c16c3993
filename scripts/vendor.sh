#!/usr/bin/env bash
# Re-fetch the vendored front-end files from the npm registry (no CDN is used at run time).
set -euo pipefail
dest="$(cd "$(dirname "$0")/.." && pwd)/src/xinyong/web/static/vendor"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
fetch() { rm -rf package; npm pack --silent "$1" >/dev/null; tar xzf ./*.tgz; rm -f ./*.tgz; }
fetch htmx.org@2.0.11;        cp package/dist/htmx.min.js package/LICENSE "$dest/htmx/"
fetch swagger-ui-dist@5.35.0; cp package/swagger-ui-bundle.js package/swagger-ui.css package/LICENSE "$dest/swagger-ui/"
echo "vendored into $dest"

#!/usr/bin/env bash
# Make sure Debian's Chromium is there for the browser tests (Playwright cannot download one here).
set -euo pipefail
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests (once)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
  exit 0
fi
echo "The browser tests need Chromium at $CHROMIUM. Install it with:" >&2
echo "    sudo apt-get install -y chromium" >&2
echo "(or set CHROMIUM=/path/to/chromium)" >&2
exit 1

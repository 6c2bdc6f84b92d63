#!/usr/bin/env bash
# Make sure Debian's Chromium is there for the browser tests (Playwright cannot download one here).
# The headless shell (package chromium-headless-shell) is preferred: the same Blink, a third to a
# fifth of the CPU per page (docs/performance.md); the full `chromium` still works.
set -euo pipefail
SHELL_BIN=/usr/bin/chromium-headless-shell
FULL_BIN=/usr/bin/chromium
if [ -n "${CHROMIUM:-}" ]; then
  if [ -x "$CHROMIUM" ]; then
    exit 0
  fi
  echo "CHROMIUM=$CHROMIUM is not an executable browser." >&2
  exit 1
fi
if [ -x "$SHELL_BIN" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium-headless-shell for the browser tests (once)..."
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq >/dev/null &&
    apt-get install -y -qq --no-install-recommends chromium-headless-shell fonts-dejavu-core >/dev/null; then
    exit 0
  fi
  echo "Could not install chromium-headless-shell." >&2
fi
if [ -x "$FULL_BIN" ]; then
  echo "Using $FULL_BIN (slower than chromium-headless-shell)." >&2
  exit 0
fi
echo "The browser tests need Chromium. Install it with:" >&2
echo "    sudo apt-get install -y chromium-headless-shell" >&2
echo "(or set CHROMIUM=/path/to/chromium)" >&2
exit 1

#!/usr/bin/env bash
# Make sure OpenSSL can load the GOST engine (Debian's libengine-gost-openssl): the GOST
# interoperability tests sign and verify with `openssl ... -engine gost` as an outside oracle.
set -euo pipefail
OPENSSL=${OPENSSL:-openssl}
has_engine() {
  "$OPENSSL" engine gost -c >/dev/null 2>&1
}
if has_engine; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's GOST engine for OpenSSL for the GOST tests (once)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends openssl libengine-gost-openssl >/dev/null
  has_engine && exit 0
  echo "libengine-gost-openssl is installed but '$OPENSSL engine gost' still fails" >&2
  exit 1
fi
echo "The GOST tests need OpenSSL's GOST engine. Install it with:" >&2
echo "    sudo apt-get install -y libengine-gost-openssl" >&2
exit 1

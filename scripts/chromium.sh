#!/usr/bin/env bash
# Debian's headless Chromium, for the browser tests (tests/conftest.py calls it): prints the path of its binary,
# installing the `chromium` package with apt-get where it is missing. Playwright drives that binary: no browser
# is downloaded.
set -euo pipefail

found() {
  command -v chromium 2>/dev/null || true
}

if [ -z "$(found)" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Chromium is not installed; install it with 'sudo apt-get install chromium'" >&2
    exit 1
  fi
  exec 9>/tmp/footprint-apt.lock  # the tests' workers look for it at once: one installs, the others wait
  flock 9
  if [ -z "$(found)" ]; then  # not installed while this one waited
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q chromium >&2 || { apt-get update -q >&2 && apt-get install -y -q chromium >&2; }
  fi
fi
path=$(found)
if [ -z "$path" ]; then
  echo "apt-get installed chromium, but no chromium binary is on the PATH" >&2
  exit 1
fi
echo "$path"

#!/usr/bin/env bash
# Debian's chromium for the dashboard's browser tests (Microsoft.Playwright drives it through ExecutablePath;
# Playwright's own browser download is never used). Install only: the tests start the browser themselves.
set -euo pipefail
PEER_NAME=browser
. "$(dirname "$0")/lib/common.sh"

case "${1:-}" in
  install) apt_install chromium ;;
  start|stop) ;;
  *) echo "usage: $0 install|start|stop" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# The linters the suite runs on the project's own files: shellcheck on the deployment scripts. Nothing runs.
set -euo pipefail
PEER_NAME=linters
. "$(dirname "$0")/lib/common.sh"

case "${1:-}" in
  install) apt_install shellcheck ;;
  start) command -v shellcheck >/dev/null || die "shellcheck is not installed: run peers.sh install linters" ;;
  stop) ;;
  *) echo "usage: $0 install|start|stop" >&2; exit 2 ;;
esac

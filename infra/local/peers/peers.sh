#!/usr/bin/env bash
# Installs, starts or stops every real peer the tests use (Dovecot, Postfix, the identity server,
# Azurite). Each peer is one script here, `<peer>.sh install|start|stop`, which writes
# "$PEERS_DIR/<peer>.env" (KEY=VALUE lines the tests read) when it starts.
#   PEERS_DIR        where configs, logs, mail and env files go (default: <repo>/.peers)
#   PEERS_BASE_PORT  first port of this run's block of 100 (default: 20000); all bind 127.0.0.1 only
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export PEERS_DIR=${PEERS_DIR:-$(cd "$here/../../.." && pwd)/.peers}
export PEERS_BASE_PORT=${PEERS_BASE_PORT:-20000}
action=${1:?usage: peers.sh install|start|stop [peer...]}
shift
peers=("$@")
[ ${#peers[@]} -gt 0 ] || peers=(ca identity dovecot postfix azurite browser mailclients postfix-smarthost linters)
mkdir -p "$PEERS_DIR"
for peer in "${peers[@]}"; do
  script="$here/$peer.sh"
  if [ -x "$script" ]; then "$script" "$action"; else echo "peers: no $script, skipping $peer" >&2; fi
done

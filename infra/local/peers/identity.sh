#!/usr/bin/env bash
# The local stand-in for Microsoft Entra ID (infra/local/identity: oauth2-mock-server behind an
# Entra-shaped launcher) over HTTPS on 127.0.0.1:$PEERS_BASE_PORT with the test CA's certificate.
# Its signing key persists in $PEERS_DIR/identity; the public key is exported where Dovecot looks.
set -euo pipefail
PEER_NAME=identity
. "$(dirname "$0")/lib/common.sh"
app=$(cd "$(dirname "$0")/../identity" && pwd)
dir="$PEERS_DIR/identity"
pid_file="$dir/identity.pid"
log_file="$dir/identity.log"
port=$(peer_port 0)
# Fixed so that tests, MSAL caches and Dovecot's configuration agree across restarts.
tenant=5b7b3c7e-2f4d-4c8a-9d1e-7a6b5c4d3e2f
tenant_domain=tokenbroker.test

case "${1:-}" in
  install)
    npm_ci_once "$app"
    ;;
  start)
    load_ca_env
    [ -d "$app/node_modules/oauth2-mock-server" ] || die "run peers.sh install identity first"
    "$0" stop
    fail_if_port_taken "$port"
    mkdir -p "$dir"
    chmod 755 "$dir"
    IDENTITY_PORT=$port IDENTITY_TENANT=$tenant IDENTITY_TENANT_DOMAIN=$tenant_domain \
      IDENTITY_STATE_DIR="$dir" IDENTITY_DOVECOT_KEYS_DIR="$dir/dovecot-keys" \
      IDENTITY_TLS_CERT="$PEERS_CERT_CHAIN_FILE" IDENTITY_TLS_KEY="$PEERS_KEY_FILE" \
      IDENTITY_TOKEN_LIFETIME="${IDENTITY_TOKEN_LIFETIME:-3600}" \
      setsid sh -c 'echo $$ >"$0"; exec node "$1"' "$pid_file" "$app/entra-mock.mjs" >>"$log_file" 2>&1 </dev/null &
    # setsid forks when it would lead a process group already: the server writes its own pid.
    for _ in $(seq 1 50); do [ -s "$pid_file" ] && break; sleep 0.1; done
    wait_for_ports 20 "$log_file" "$port" || { "$0" stop; die "identity server did not start"; }
    pid_alive "$(pid_from_file "$pid_file")" || die "identity server exited; see $log_file"
    write_env \
      "IDENTITY_URL=https://localhost:$port" \
      "IDENTITY_PORT=$port" \
      "IDENTITY_TENANT=$tenant" \
      "IDENTITY_TENANT_DOMAIN=$tenant_domain" \
      "IDENTITY_AUTHORITY=https://localhost:$port/$tenant" \
      "IDENTITY_ISSUER=https://localhost:$port/$tenant/v2.0" \
      "IDENTITY_OPENID_CONFIGURATION=https://localhost:$port/$tenant/v2.0/.well-known/openid-configuration" \
      "IDENTITY_CONTROL_URL=https://localhost:$port/_control" \
      "IDENTITY_DEFAULT_USER=alice@$tenant_domain" \
      "IDENTITY_DOVECOT_KEYS_DIR=$dir/dovecot-keys" \
      "IDENTITY_PUBLIC_KEY_FILE=$dir/dovecot-keys/signing-key.pub.pem" \
      "IDENTITY_LOG=$log_file"
    ;;
  stop)
    stop_pid_file "$pid_file"
    remove_env
    ;;
  *) echo "usage: $0 install|start|stop" >&2; exit 2 ;;
esac

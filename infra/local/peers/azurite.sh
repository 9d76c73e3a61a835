#!/usr/bin/env bash
# Azurite (the Azure Storage emulator) for the queue transport tests and benchmarks.
#   install  npm ci in infra/local/azurite (azurite pinned in its package.json / package-lock.json)
#   start    instances on 127.0.0.1, in memory:
#              plain:  SharedKey over http; queue PEERS_BASE_PORT+30, blob +31, table +32
#              oauth:  https + `--oauth basic` (bearer tokens); queue PEERS_BASE_PORT+33, blob +34,
#                      with a throw-away CA and localhost certificate generated in $PEERS_DIR/azurite
#            then writes $PEERS_DIR/azurite.env. Endpoints use 127.0.0.1, not localhost: the storage SDK reads
#            the account from a path-style URL only when the host is an IP address (the certificate names both).
#   stop     stops what start started (a zombie counts as stopped)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
app="$here/../azurite"
: "${PEERS_DIR:?PEERS_DIR must be set (peers.sh sets it)}"
: "${PEERS_BASE_PORT:?PEERS_BASE_PORT must be set (peers.sh sets it)}"
dir="$PEERS_DIR/azurite"
queue_port=$((PEERS_BASE_PORT + 30))
blob_port=$((PEERS_BASE_PORT + 31))
table_port=$((PEERS_BASE_PORT + 32))
oauth_queue_port=$((PEERS_BASE_PORT + 33))
oauth_blob_port=$((PEERS_BASE_PORT + 34))
# Azurite's well-known development account (public, documented by Microsoft).
account=devstoreaccount1
key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

running() { # a pid file whose process is alive and not a zombie
  local pid state
  [ -f "$1" ] || return 1
  pid=$(cat "$1")
  state=$(ps -o stat= -p "$pid" 2>/dev/null | tr -d ' ') || return 1
  [ -n "$state" ] && [[ "$state" != Z* ]]
}

stop_one() {
  local pidfile=$1 pid i
  if running "$pidfile"; then
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do running "$pidfile" || break; sleep 0.1; done
    running "$pidfile" && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

wait_for() { # url [curl options...]: any HTTP answer within 20 s
  local url=$1 i; shift
  for i in $(seq 1 200); do
    if curl -s -o /dev/null "$@" --max-time 1 "$url"; then return 0; fi
    sleep 0.1
  done
  return 1
}

make_certificate() {
  [ -f "$dir/localhost.pem" ] && [ -f "$dir/ca.pem" ] && return 0
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=TokenBroker Azurite test CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$dir/localhost.key" -out "$dir/localhost.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$dir/localhost.ext"
  openssl x509 -req -in "$dir/localhost.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 30 -extfile "$dir/localhost.ext" -out "$dir/localhost.pem" 2>/dev/null
}

case "${1:?usage: azurite.sh install|start|stop}" in
  install)
    PEER_NAME=azurite
    . "$here/lib/common.sh"
    npm_ci_once "$app"
    ;;
  start)
    mkdir -p "$dir"
    [ -x "$app/node_modules/.bin/azurite" ] || { echo "azurite: not installed; run peers.sh install azurite" >&2; exit 1; }
    stop_one "$dir/plain.pid"; stop_one "$dir/oauth.pid"; stop_one "$dir/oauth-blob.pid"
    make_certificate
    cd "$dir"
    # setsid may fork, so the process records its own pid just before it becomes azurite
    setsid sh -c 'echo $$ >"$0"; exec "$@"' "$dir/plain.pid" "$app/node_modules/.bin/azurite" --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 \
      --blobPort "$blob_port" --queuePort "$queue_port" --tablePort "$table_port" \
      --inMemoryPersistence --skipApiVersionCheck --disableTelemetry --silent \
      >"$dir/plain.log" 2>&1 </dev/null &
    setsid sh -c 'echo $$ >"$0"; exec "$@"' "$dir/oauth.pid" "$app/node_modules/.bin/azurite-queue" --queueHost 127.0.0.1 --queuePort "$oauth_queue_port" \
      --cert "$dir/localhost.pem" --key "$dir/localhost.key" --oauth basic \
      --inMemoryPersistence --skipApiVersionCheck --disableTelemetry --silent \
      >"$dir/oauth.log" 2>&1 </dev/null &
    setsid sh -c 'echo $$ >"$0"; exec "$@"' "$dir/oauth-blob.pid" "$app/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$oauth_blob_port" \
      --cert "$dir/localhost.pem" --key "$dir/localhost.key" --oauth basic \
      --inMemoryPersistence --skipApiVersionCheck --disableTelemetry --silent \
      >"$dir/oauth-blob.log" 2>&1 </dev/null &
    wait_for "http://127.0.0.1:$queue_port/$account?comp=list" \
      || { echo "azurite: queue service did not answer on $queue_port; see $dir/plain.log" >&2; exit 1; }
    wait_for "https://127.0.0.1:$oauth_queue_port/$account?comp=list" --cacert "$dir/ca.pem" \
      || { echo "azurite: https oauth queue service did not answer on $oauth_queue_port; see $dir/oauth.log" >&2; exit 1; }
    wait_for "http://127.0.0.1:$blob_port/$account?comp=list" \
      || { echo "azurite: blob service did not answer on $blob_port; see $dir/plain.log" >&2; exit 1; }
    wait_for "https://127.0.0.1:$oauth_blob_port/$account?comp=list" --cacert "$dir/ca.pem" \
      || { echo "azurite: https oauth blob service did not answer on $oauth_blob_port; see $dir/oauth-blob.log" >&2; exit 1; }
    endpoint="http://127.0.0.1:$queue_port/$account"
    blob_endpoint="http://127.0.0.1:$blob_port/$account"
    cat >"$PEERS_DIR/azurite.env" <<EOF
AZURITE_QUEUE_ENDPOINT=$endpoint
AZURITE_BLOB_ENDPOINT=$blob_endpoint
AZURITE_ACCOUNT_NAME=$account
AZURITE_ACCOUNT_KEY=$key
AZURITE_CONNECTION_STRING=DefaultEndpointsProtocol=http;AccountName=$account;AccountKey=$key;QueueEndpoint=$endpoint;BlobEndpoint=$blob_endpoint;
AZURITE_OAUTH_QUEUE_ENDPOINT=https://127.0.0.1:$oauth_queue_port/$account
AZURITE_OAUTH_BLOB_ENDPOINT=https://127.0.0.1:$oauth_blob_port/$account
AZURITE_CA_CERTIFICATE=$dir/ca.pem
EOF
    echo "azurite: queue $endpoint, blob $blob_endpoint (shared key); https://127.0.0.1:$oauth_queue_port/$account, https://127.0.0.1:$oauth_blob_port/$account (oauth)"
    ;;
  stop)
    stop_one "$dir/plain.pid"; stop_one "$dir/oauth.pid"; stop_one "$dir/oauth-blob.pid"
    rm -f "$PEERS_DIR/azurite.env"
    ;;
  *) echo "usage: azurite.sh install|start|stop" >&2; exit 2 ;;
esac

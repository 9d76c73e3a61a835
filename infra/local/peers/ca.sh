#!/usr/bin/env bash
# A throw-away certificate authority and a localhost server certificate (DNS:localhost, IP:127.0.0.1)
# signed by it, for every TLS peer. Tests trust only this CA, explicitly; no system trust store changes.
# Regenerated only when missing. Writes ca.env: PEERS_CA_FILE, PEERS_CERT_FILE, PEERS_KEY_FILE.
set -euo pipefail
PEER_NAME=ca
. "$(dirname "$0")/lib/common.sh"
dir="$PEERS_DIR/ca"

generate() {
  local work
  mkdir -p "$dir"
  work=$(mktemp -d "$dir/.work.XXXXXX")
  openssl req -x509 -new -newkey rsa:2048 -nodes -sha256 -days 3650 \
    -keyout "$work/ca.key" -out "$work/ca.crt" -subj "/CN=TokenBroker Test CA $(date -u +%Y%m%d%H%M%S)" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" 2>/dev/null
  openssl req -new -newkey rsa:2048 -nodes -sha256 -keyout "$work/server.key" -out "$work/server.csr" \
    -subj "/CN=localhost" 2>/dev/null
  cat >"$work/server.ext" <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EXT
  openssl x509 -req -in "$work/server.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial \
    -days 825 -sha256 -extfile "$work/server.ext" -out "$work/server.crt" 2>/dev/null
  cat "$work/server.crt" "$work/ca.crt" >"$work/server-chain.crt"
  chmod 644 "$work"/*.crt
  chmod 600 "$work"/*.key
  mv "$work/ca.crt" "$work/ca.key" "$work/server.crt" "$work/server-chain.crt" "$work/server.key" "$dir/"
  rm -rf "$work"
  log "generated CA and localhost certificate in $dir"
}

case "${1:-}" in
  install)
    command -v openssl >/dev/null || apt_install openssl
    ;;
  start)
    chmod 755 "$PEERS_DIR"
    if [ ! -s "$dir/ca.crt" ] || [ ! -s "$dir/server.crt" ] || [ ! -s "$dir/server.key" ] ||
       ! openssl verify -CAfile "$dir/ca.crt" "$dir/server.crt" >/dev/null 2>&1 ||
       ! openssl x509 -checkend 86400 -noout -in "$dir/server.crt" >/dev/null; then
      rm -rf "$dir"
      generate
    fi
    write_env "PEERS_CA_FILE=$dir/ca.crt" "PEERS_CERT_FILE=$dir/server.crt" "PEERS_KEY_FILE=$dir/server.key" \
      "PEERS_CERT_CHAIN_FILE=$dir/server-chain.crt"
    ;;
  stop) ;;
  *) echo "usage: $0 install|start|stop" >&2; exit 2 ;;
esac

# Shared by the peer scripts (sourced, not run): paths, ports, packages, processes, env files.
# Every peer binds 127.0.0.1 only and keeps all its state under $PEERS_DIR.

PEERS_DIR=${PEERS_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)/.peers}
PEERS_BASE_PORT=${PEERS_BASE_PORT:-20000}
export PEERS_DIR PEERS_BASE_PORT
mkdir -p "$PEERS_DIR"
PEERS_DIR=$(cd "$PEERS_DIR" && pwd)

# The daemons drop privileges (dovecot, vmail, postfix) yet must reach files under $PEERS_DIR:
# every directory above it needs search (x) permission for others, e.g. a checkout under /root.
allow_daemons_to_reach_peers_dir() {
  local path=$PEERS_DIR
  chmod 755 "$PEERS_DIR"
  while [ "$path" != / ]; do
    path=$(dirname "$path")
    if [ "$(( $(stat -c '%a' "$path" | sed 's/.*\(.\)$/\1/') & 1 ))" -eq 0 ]; then
      echo "peers: allowing other users to pass through $path (chmod o+x) so the mail daemons reach $PEERS_DIR" >&2
      chmod o+x "$path"
    fi
  done
}
allow_daemons_to_reach_peers_dir

peer_port() { echo $((PEERS_BASE_PORT + $1)); }

log() { echo "peers/${PEER_NAME:-?}: $*" >&2; }
die() { log "$*"; exit 1; }

# npm ci only when package-lock.json changed since the last install (a clean install takes minutes).
npm_ci_once() {
  local app=$1 lock_hash
  command -v node >/dev/null || die "node is required (node >= 20)"
  lock_hash=$(sha256sum "$app/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$app/node_modules/.installed-lock-sha256" 2>/dev/null)" != "$lock_hash" ]; then
    log "npm ci in $app"
    (cd "$app" && npm ci --no-audit --no-fund --loglevel=error >&2) || die "npm ci failed in $app"
    echo "$lock_hash" >"$app/node_modules/.installed-lock-sha256"
  fi
}

# apt-get install of whatever is missing; the package lists are refreshed once unless fresh already.
apt_install() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "installing ${missing[*]} needs root"
  export DEBIAN_FRONTEND=noninteractive
  ensure_policy_rc_d
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -120 2>/dev/null | head -1)" ]; then
    log "apt-get update"
    apt-get update -qq >&2 || die "apt-get update failed"
  fi
  log "apt-get install ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
}

# Keeps apt from starting the packaged daemons: we run our own instances with our own configs.
ensure_policy_rc_d() {
  [ -e /usr/sbin/policy-rc.d ] && return 0
  printf '#!/bin/sh\n# Installed by TokenBroker infra/local/peers: packaged daemons stay stopped.\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
}

ensure_vmail_user() {
  getent group vmail >/dev/null || groupadd --system vmail
  getent passwd vmail >/dev/null || useradd --system --gid vmail --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin vmail
}

# A process counts as running unless it is gone or a zombie (reaping is slow on these machines).
pid_alive() {
  local pid=$1 state
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  state=$(sed 's/^.*) \(.\).*/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

pid_from_file() { [ -s "$1" ] && tr -dc '0-9' <"$1" || true; }

# Stops the process named in a pid file (TERM, then KILL after a bound) and removes the stale file.
stop_pid_file() {
  local file=$1 pid i
  pid=$(pid_from_file "$file")
  if pid_alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do pid_alive "$pid" || break; sleep 0.1; done
    if pid_alive "$pid"; then
      log "pid $pid ignored TERM, killing"
      kill -KILL "$pid" 2>/dev/null || true
      for i in $(seq 1 50); do pid_alive "$pid" || break; sleep 0.1; done
    fi
  fi
  rm -f "$file"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Waits (bounded) until every port accepts connections; on failure shows the tail of a log.
wait_for_ports() {
  local seconds=$1 logfile=$2 port deadline
  shift 2
  deadline=$((SECONDS + seconds))
  for port in "$@"; do
    until port_open "$port"; do
      if [ $SECONDS -ge $deadline ]; then
        log "port $port not accepting connections after ${seconds}s"
        [ -f "$logfile" ] && tail -n 30 "$logfile" >&2
        return 1
      fi
      sleep 0.1
    done
  done
}

fail_if_port_taken() {
  local port
  for port in "$@"; do
    port_open "$port" && die "port $port on 127.0.0.1 is already in use (another PEERS_BASE_PORT block?)"
  done
  return 0
}

# Writes "$PEERS_DIR/<peer>.env" atomically from KEY=VALUE arguments.
write_env() {
  local file="$PEERS_DIR/$PEER_NAME.env" line
  {
    echo "# written by infra/local/peers/$PEER_NAME.sh start"
    for line in "$@"; do echo "$line"; done
  } >"$file.tmp"
  mv "$file.tmp" "$file"
}

remove_env() { rm -f "$PEERS_DIR/$PEER_NAME.env"; }

# The CA and server certificate that ca.sh created (every TLS peer needs them).
load_ca_env() {
  [ -f "$PEERS_DIR/ca.env" ] || die "no $PEERS_DIR/ca.env: run peers.sh start ca first"
  # shellcheck disable=SC1091
  . "$PEERS_DIR/ca.env"
}

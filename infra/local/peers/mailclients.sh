#!/usr/bin/env bash
# Debian's own mail clients that the bridge tests drive as legacy apps would: swaks (SMTP submission with
# AUTH LOGIN/PLAIN) and fetchmail (IMAP/POP3 with a password). Nothing runs; start writes mailclients.env.
set -euo pipefail
PEER_NAME=mailclients
. "$(dirname "$0")/lib/common.sh"

case "${1:-}" in
  install)
    # swaks needs Net::SSLeay for STARTTLS (a Recommends, which the peers do not install).
    apt_install swaks fetchmail libnet-ssleay-perl
    ;;
  start)
    command -v swaks >/dev/null && command -v fetchmail >/dev/null || die "swaks and fetchmail are not installed: run peers.sh install mailclients"
    write_env "SWAKS=$(command -v swaks)" "FETCHMAIL=$(command -v fetchmail)"
    ;;
  stop)
    remove_env
    ;;
  *) echo "usage: $0 install|start|stop" >&2; exit 2 ;;
esac

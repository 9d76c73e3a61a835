#!/usr/bin/env bash
# The whole test suite on a fresh Debian machine: installs the real peers (apt, npm), restores and
# builds, starts the peers on 127.0.0.1, runs every test project, stops the peers, and prints the
# totals as its last line: "N passed, N failed".
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
export PEERS_DIR=${PEERS_DIR:-$repo/.peers}
export PEERS_BASE_PORT=${PEERS_BASE_PORT:-20000}
# The dashboard's browser tests drive Debian's chromium (peers/browser.sh); Playwright must never fetch its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
peers="$repo/infra/local/peers/peers.sh"
results="$repo/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"

"$peers" install || { echo "peer installation failed"; echo "0 passed, 1 failed"; exit 1; }
dotnet restore TokenBroker.sln || { echo "0 passed, 1 failed"; exit 1; }
dotnet build TokenBroker.sln --no-restore -c Release || { echo "0 passed, 1 failed"; exit 1; }
# The tests start the executable exactly as it ships to Azure: the framework-dependent linux-x64 ReadyToRun publish.
rm -rf artifacts/publish; dotnet publish functions/TokenBroker -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o artifacts/publish \
  || { echo "0 passed, 1 failed"; exit 1; }
export TOKENBROKER_PUBLISH_DIR="$repo/artifacts/publish"
"$peers" stop >/dev/null 2>&1 || true
"$peers" start || { "$peers" stop; echo "peer start failed"; echo "0 passed, 1 failed"; exit 1; }
trap '"$peers" stop >/dev/null 2>&1 || true' EXIT

status=0
for project in tests/*/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" --no-build -c Release --logger "trx;LogFileName=$name.trx" --results-directory "$results" || status=1
done

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
[ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
echo "$passed passed, $failed failed"
exit "$status"

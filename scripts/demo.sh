#!/usr/bin/env bash
# make demo: a local control plane with a controller and two agents, the examples applied with
# the real kubectl, and their outcome printed. Stops everything it started, also on Ctrl-C.
# TODO(#5): live progress counts updating in place, and per-example expected phases.
set -euo pipefail
cd "$(dirname "$0")/.."
KUBECTL=$(node scripts/tools.js kubectl)
work=$(mktemp -d)
kc="$work/kubeconfig.yaml"
node bin/task-router.js local --agents 2 --kubeconfig "$kc" >"$work/local.log" 2>&1 &
local_pid=$!
cleanup() {
  kill -INT "$local_pid" 2>/dev/null || true
  wait "$local_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 1 100); do
  grep -q 'agents registered' "$work/local.log" 2>/dev/null && break
  sleep 0.1
done
k() { "$KUBECTL" --kubeconfig "$kc" "$@"; }
k apply -f examples/
k wait --for=condition=Succeeded task --all --timeout=60s
k get tasks -o wide
k get task hello -o jsonpath='{.status}{"\n"}'

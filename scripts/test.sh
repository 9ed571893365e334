#!/usr/bin/env bash
# Quick start, command 2: set everything up and run every test (real Redis, real PocketSphinx,
# real processes). Each test file starts the servers it needs on free ports.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
npx tsc -p tsconfig.test.json
# A test file that hangs fails after 15 minutes (the container test builds images for about 5 on a
# clean machine; tests that may hang set their own shorter bound); a file that leaves handles open still ends.
status=0
node --import tsx --test --test-concurrency=1 --test-timeout=900000 --test-force-exit --test-reporter=spec test/*.test.ts "$@" || status=$?
# A test file cut off by its timeout cannot clean up after itself: nothing it started outlives the run.
deploy/hosts/hosts.sh down
test_dockerd=/var/lib/stt-test-docker/dockerd.pid
if [ -f "$test_dockerd" ]; then
  pid=$(cat "$test_dockerd")
  kill "$pid" 2>/dev/null && for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
fi
ip link del stt-docker0 2>/dev/null || true
exit "$status"

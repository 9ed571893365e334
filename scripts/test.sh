#!/usr/bin/env bash
# Quick start, command 2: set everything up and run every test (real Redis, real PocketSphinx,
# real processes). Each test file starts the servers it needs on free ports.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
npx tsc -p tsconfig.test.json
# A test file that hangs fails after 15 minutes (the container test builds images for about 5 on a
# clean machine; tests that may hang set their own shorter bound); a file that leaves handles open still ends.
exec node --import tsx --test --test-concurrency=1 --test-timeout=900000 --test-force-exit --test-reporter=spec test/*.test.ts "$@"

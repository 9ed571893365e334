#!/usr/bin/env bash
# Quick start, command 2: set everything up and run every test (real Redis, real PocketSphinx,
# real processes). Each test file starts the servers it needs on free ports.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
npx tsc -p tsconfig.test.json
exec node --import tsx --test --test-concurrency=1 --test-reporter=spec test/*.test.ts "$@"

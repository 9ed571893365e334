#!/usr/bin/env bash
# Quick start, command 1: set everything up and run the whole stack in the foreground.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec node packages/stack/dist/main.js

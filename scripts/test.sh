#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test:
#   unit tests and fuzz corpora under ASan/UBSan (build-asan/),
#   integration tests (root: namespaces, BIRD, ping, iperf3) with build/,
#   a Release build with warnings as errors.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "test.sh: run as root (the integration tests make namespaces and TAP devices)" >&2
  exit 1
fi
bash scripts/install-deps.sh
bash scripts/build.sh --asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
rc=0
ctest --test-dir build-asan -L 'unit|fuzz' --output-on-failure -j"$(nproc)" || rc=1
ctest --test-dir build -L integration --output-on-failure || rc=1
exit $rc

#!/usr/bin/env bash
# Builds vnet: build/ (Release, as a packager builds it, but with warnings
# as errors; the integration tests and benchmarks use it) and, with --asan,
# build-asan/ (Debug with AddressSanitizer + UndefinedBehaviorSanitizer,
# warnings as errors; the unit tests and fuzz corpora use it).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DVNET_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
if [ "${1:-}" = "--asan" ]; then
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DVNET_SANITIZE=ON -DVNET_WERROR=ON >/dev/null
  cmake --build build-asan -j"$jobs"
fi

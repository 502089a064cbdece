#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run): set-up, a warnings-as-errors build with every
# test (unit, trace replays, differential sessions against real Yjs), the unit tests again
# under AddressSanitizer + UndefinedBehaviorSanitizer, and each libFuzzer target for a bounded
# time over its kept corpus. The last line sums up everything: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
export TANDEM_TRACES_DIR=${TANDEM_TRACES_DIR:-$ROOT/../shared/traces}
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}

bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
# Adds ctest's counts ("N% tests passed, F tests failed out of T") to the totals.
count_ctest() {
  local line total fails
  line=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" "$1" | tail -1)
  if [ -z "$line" ]; then failed=$((failed + 1)); return; fi
  total=$(echo "$line" | sed -E 's/.*out of ([0-9]+).*/\1/')
  fails=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed.*/\1/')
  passed=$((passed + total - fails))
  failed=$((failed + fails))
}
step() { echo; echo "=== $*"; }

step "build (RelWithDebInfo, -Werror)"
# Without full debug info (-g is much of the compile time of the Boost.Beast code): the
# sanitizer build keeps line tables (-g1) for its reports, at -O1 (ASan's usual level, and the
# quickest to compile of the Beast code).
if cmake -S . -B build/ci -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -DNDEBUG" -DTANDEM_WERROR=ON \
     -DTANDEM_TRACES_DIR="$TANDEM_TRACES_DIR" >/dev/null &&
   cmake --build build/ci -j "$JOBS"; then
  step "tests"
  ctest --test-dir build/ci --output-on-failure -j "$JOBS" 2>&1 | tee build/ci/ctest.log
  count_ctest build/ci/ctest.log
else
  echo "build failed"; failed=$((failed + 1))
fi

step "unit tests under ASan+UBSan (the libraries' tests; the programs are not built there)"
if cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DTANDEM_WERROR=ON -DTANDEM_SANITIZE=ON \
     -DTANDEM_BENCH=OFF -DTANDEM_TRACES_DIR="$TANDEM_TRACES_DIR" >/dev/null &&
   cmake --build build/asan -j "$JOBS"; then
  ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build/asan -L unit --output-on-failure -j "$JOBS" 2>&1 |
    tee build/asan/ctest.log
  count_ctest build/asan/ctest.log
else
  echo "sanitizer build failed"; failed=$((failed + 1))
fi

step "fuzzers (${FUZZ_SECONDS}s each)"
if [ -f fuzz/CMakeLists.txt ] && grep -q add_executable fuzz/CMakeLists.txt &&
   CC=clang CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTANDEM_WERROR=ON \
     -DTANDEM_FUZZ=ON -DTANDEM_BENCH=OFF >/dev/null &&
   cmake --build build/fuzz -j "$JOBS" --target fuzz_apply_v1 fuzz_apply_v2 fuzz_merge fuzz_protocol fuzz_ws_frame; then
  for target in build/fuzz/fuzz/fuzz_*; do
    [ -x "$target" ] || continue
    name=$(basename "$target")
    corpus="fuzz/corpus/${name#fuzz_}"
    work=$(mktemp -d)
    [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/ 2>/dev/null
    if "$target" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -timeout=10 \
         -artifact_prefix=build/fuzz/ "$work" >"build/fuzz/$name.log" 2>&1; then
      echo "$name: ok ($(grep -Eo '#[0-9]+' "build/fuzz/$name.log" | tail -1) runs)"
      passed=$((passed + 1))
    else
      echo "$name: FAILED"; tail -30 "build/fuzz/$name.log"; failed=$((failed + 1))
    fi
    rm -rf "$work"
  done
else
  echo "fuzz build failed or no fuzz targets"; failed=$((failed + 1))
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# `make test-asan`: build every C extension with AddressSanitizer + UBSan into build/asan (a copy
# of the sources, so the normal in-place build is untouched) and run the fast tests against it
# with the sanitizer runtime preloaded into CPython.
#
#   tools/asan_pytest.sh [pytest args...]     default: tests -m "not slow"
#   NEUROCORE_ONLY=rate,geometry tools/asan_pytest.sh tests/reliability
#
# The plain-C BLAS fallback is compiled in (NEUROCORE_BLAS=fallback): OpenBLAS itself is not
# instrumented. Leak detection is off because CPython keeps interned objects alive at exit
# (tests/reliability/test_leaks.py checks leaks with tracemalloc instead).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PY:-$ROOT/.venv/bin/python}
CC=${CC:-cc}
OUTDIR=$ROOT/build/asan
SRC=$OUTDIR/src
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"

mkdir -p "$SRC"
# Copy (mtime-preserving, so unchanged objects are not recompiled) the sources the build and
# the tests need; drop the normal build's extension modules.
rm -rf "$SRC/neurocore" "$SRC/tests" "$SRC/notebooks"
tar --exclude='*.so' --exclude='__pycache__' --exclude='.hypothesis' -cf - \
    setup.py pyproject.toml csrc neurocore tests notebooks | tar -xf - -C "$SRC"

t0=$(date +%s)
(cd "$SRC" && NEUROCORE_BLAS=fallback \
    NEUROCORE_EXTRA_CFLAGS="$SAN -O1 -g" NEUROCORE_EXTRA_LDFLAGS="$SAN" \
    CC="$CC" "$PY" setup.py -q build_ext --inplace -j 2 --build-temp "$OUTDIR/tmp" 2>&1 \
    | grep -v -e "^WARNING" -e "^$" || true)
t1=$(date +%s)
echo "test-asan: sanitizer build took $((t1 - t0)) s"
ls "$SRC"/neurocore/*/_*.so >/dev/null

LIBASAN=$($CC -print-file-name=libasan.so)
[ -f "$LIBASAN" ] || { echo "test-asan: libasan.so not found ($LIBASAN)"; exit 1; }
if [ $# -eq 0 ]; then set -- tests -m "not slow"; fi
cd "$SRC"
export NEUROCORE_BLAS=fallback
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1:abort_on_error=0:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export NEUROCORE_FUZZ_EXAMPLES=${NEUROCORE_FUZZ_EXAMPLES:-200}
export NEUROCORE_LEAK_CALLS=${NEUROCORE_LEAK_CALLS:-2000}
set +e
LD_PRELOAD="$LIBASAN" "$PY" -m pytest -q -p no:cacheprovider "$@"
status=$?
echo "test-asan: tests took $(( $(date +%s) - t1 )) s"
exit $status

# neurocore: `make demo` reproduces the papers' results; `make test` runs every test.
# Both create .venv from the package registries by themselves.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
OUT    ?= results
CC     ?= cc
SAN    := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
CTESTS := $(wildcard csrc/tests/test_*.c)
KERNELS = $(wildcard csrc/kernels/*.c)
PYTEST_ARGS ?=

.PHONY: demo test build ctest test-asan pytest bench clean venv

$(VENV)/.installed: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip "setuptools>=77" wheel "numpy>=2"
	$(PY) -m pip install -q --no-build-isolation -e ".[test,sweep,docs]"
	touch $@

venv: $(VENV)/.installed

# Rebuild the C extensions in place (cheap when nothing changed).
build: $(VENV)/.installed
	$(PY) setup.py -q build_ext --inplace -j 2 2>&1 | grep -v -e "^WARNING" -e "^$$" || true
	@$(PY) -c "import neurocore.rate._rate" || (echo "C extension build failed" && exit 1)

# Exit code 3 means the report lists metrics that missed their reference values; the demo still
# succeeded in producing it. Any other failure (a crash) fails the target.
demo: build
	@$(VENV)/bin/neurocore reproduce all --quick --out $(OUT); rc=$$?; \
	echo "Report: $(abspath $(OUT))/report.md"; \
	if [ $$rc -eq 3 ]; then echo "(some metrics missed their reference values: see the report)"; \
	elif [ $$rc -ne 0 ]; then exit $$rc; fi

# C kernels alone, under AddressSanitizer and UBSan, with the plain-C BLAS fallback.
ctest: $(VENV)/.installed
	@mkdir -p build/ctest
	@set -e; NPINC=$$($(PY) -c "import numpy; print(numpy.get_include())"); \
	for t in $(CTESTS); do \
	  exe=build/ctest/$$(basename $$t .c); \
	  $(CC) -std=c11 -O1 -g -Wall -Wextra -Wno-unused-parameter $(SAN) -Icsrc/include -Icsrc/kernels \
	    -I$$NPINC -Icsrc/tests $$t $(KERNELS) -lm -o $$exe; \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $$exe; \
	done

# Every extension rebuilt with ASan + UBSan into build/asan, fast tests run against it
# (sanitizer runtime preloaded into CPython). Not part of `make test` yet; see tools/asan_pytest.sh.
test-asan: $(VENV)/.installed
	PY=$(abspath $(PY)) CC=$(CC) tools/asan_pytest.sh $(PYTEST_ARGS)

pytest: build
	$(PY) -m pytest -q -x $(PYTEST_ARGS)

test: ctest pytest

# Brian2 2.9 does not import with NumPy >= 2.4, so the Brian2 peer runs in its own environment
# (benchmarks/bench_spiking.py starts it as a subprocess through NEUROCORE_BRIAN2_PYTHON).
BENCH_VENV := .venv-brian2
$(BENCH_VENV)/.installed:
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q "numpy<2.4" "brian2>=2.5" cython setuptools
	touch $@

bench: build $(BENCH_VENV)/.installed
	NEUROCORE_BRIAN2_PYTHON=$(abspath $(BENCH_VENV))/bin/python $(PY) -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf build $(VENV) $(BENCH_VENV) neurocore/*/*.so neurocore/*/*/*.so results

# The documentation site (Sphinx, from the docs extra) in build/docs/html; any warning fails it.
# It lists the figures of the last `make demo` ($(OUT)/*.png, copied into docs/gallery/).
.PHONY: docs
docs: build
	NEUROCORE_RESULTS=$(abspath $(OUT)) $(PY) -m sphinx -E -W --keep-going -q -b html docs build/docs/html
	@echo "Docs: $(abspath build/docs/html)/index.html"

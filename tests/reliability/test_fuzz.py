"""Binding fuzzer (issue 15, item 1): every C entry point against generated bad and edge inputs.

Where the expected outcome comes from: the contract of issue 15 and CONTRIBUTING.md (an exception
naming the argument, or a correct finite result; never a crash, hang or silent NaN), and for
layout/dtype variants the function's own result on the canonical float64 C-contiguous array.

NEUROCORE_FUZZ_EXAMPLES sets the number of Hypothesis examples per target (default 200);
NEUROCORE_FUZZ_RANDOM=1 draws fresh examples instead of the fixed (derandomized) set.
"""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from . import _harness as H
from .mutations import JUNK, Sentinel, kind_of, mutations
from .specs import SPECS

EXAMPLES = int(os.environ.get("NEUROCORE_FUZZ_EXAMPLES", "200"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=True,
                    derandomize=os.environ.get("NEUROCORE_FUZZ_RANDOM") != "1",
                    suppress_health_check=list(HealthCheck))
TARGETS = H.discover()
IDS = [t.key for t in TARGETS]


def _spec_or_skip(target):
    if target.import_error:
        pytest.skip(f"{target.module} does not import: {target.import_error}")
    spec = SPECS.get(target.key)
    if spec is None:
        pytest.skip(f"no spec for {target.key} in tests/reliability/specs.py yet (signature-level fuzz only)")
    return spec


def _names(target, kw):
    req, opt = H.signature(target.func)
    return list(dict.fromkeys(list(kw) + req + opt))


def _kinds(spec, kw):
    return {k: spec.kinds.get(k, kind_of(v)) for k, v in kw.items()}


def test_every_extension_imports():
    # Each neurocore/*/_*.so must import; otherwise its functions would silently leave the harness.
    broken = [f"{t.module}: {t.import_error}" for t in TARGETS if t.import_error]
    assert not broken, broken
    assert {"rate.integrate", "geometry.anchors"} <= set(IDS)


@pytest.mark.parametrize("key", sorted(SPECS))
def test_spec_is_a_valid_call(key):
    # The seed call of every spec must succeed with a finite result (else the fuzz is meaningless).
    target = next((t for t in TARGETS if t.key == key), None)
    if target is None or target.import_error:
        pytest.skip(f"{key}: extension not built/importable")
    out = H.call(target.func, SPECS[key].make())
    assert out.exc is None, f"{key}: the spec's valid call raised {out.exc!r}"
    assert not H.nonfinite_paths(out.result)


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_fuzz_signature_level(target):
    # Junk values for every parameter named in the docstring; works without a spec.
    if target.import_error:
        pytest.skip(f"{target.module} does not import: {target.import_error}")
    req, opt = H.signature(target.func)
    names = req + opt + ["bogus"]
    tl = H.tally(target.key + " (junk)")
    tolerate = dict(SPECS[target.key].tolerate) if target.key in SPECS else {}
    # Without a spec the parser messages are expected (nothing can be valid yet): tolerate them.
    tolerate.setdefault("unnamed-parse-error", "signature-level")

    @SETTINGS
    @given(st.data())
    def run(data):
        kw = {n: data.draw(st.sampled_from(JUNK), label=n) for n in req}
        for n in opt:
            if data.draw(st.booleans(), label=f"give {n}"):
                kw[n] = data.draw(st.sampled_from(JUNK), label=n)
        if data.draw(st.integers(0, 9), label="extra") == 0:
            kw["bogus"] = 1
        before = H.snapshot(kw)
        out = H.call(target.func, kw)
        H.check_outcome(out, names, f"{target.key}(**{sorted(kw)})", tolerate, tl=tl,
                        sentinel=out.exc if isinstance(out.exc, Sentinel) else None)
        H.check_untouched(before, kw, (), target.key)
    run()


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_fuzz_from_spec(target):
    # Bad and edge values for one or two arguments of a valid call (see mutations.py).
    spec = _spec_or_skip(target)
    base = spec.make()
    names = _names(target, base) + ["bogus"]
    kinds = _kinds(spec, base)
    choices = [(arg, label) for arg in base for label, _ in mutations(kinds[arg], base[arg])]
    choices += [("<extra>", "bogus-keyword")] + [("<missing>", a) for a in H.signature(target.func)[0]]
    tl = H.tally(target.key)

    @SETTINGS
    @given(st.data())
    def run(data):
        picks = [data.draw(st.sampled_from(choices), label="mutation")]
        if data.draw(st.integers(0, 4), label="second") == 0:
            picks.append(data.draw(st.sampled_from(choices), label="mutation 2"))
        kw, canon, equivalent = spec.make(), spec.make(), True
        for arg, label in picks:
            if arg == "<extra>":
                kw["bogus"] = canon["bogus"] = 1
                equivalent = False
                continue
            if arg == "<missing>":
                kw.pop(label, None)
                canon.pop(label, None)
                equivalent = False
                continue
            make = dict(mutations(kinds[arg], base[arg]))[label]
            new, canonical = make(data.draw)
            kw[arg] = new
            if canonical is None:
                equivalent = False
            else:
                canon[arg] = canonical
        desc = f"{target.key} with " + ", ".join(f"{a}<-{lab}" for a, lab in picks)
        before = H.snapshot(kw)
        out = H.call(target.func, kw)
        if not equivalent:
            sentinel = out.exc if isinstance(out.exc, Sentinel) else None
            H.check_outcome(out, names, desc, spec.tolerate, sentinel=sentinel, tl=tl)
        else:
            ref = H.call(target.func, canon)
            tl.calls += 1
            tl.equivalent += 1
            if ref.exc is None and out.exc is not None and not out.watchdog:
                raise H.ContractViolation("layout-changes-result", f"{desc}: raised {out.exc!r} where the "
                                          "canonical array gives a result")
            if ref.exc is not None:
                if out.exc is None or type(out.exc) is not type(ref.exc):
                    raise H.ContractViolation("layout-changes-result", f"{desc}: got {out.exc!r}, the canonical "
                                              f"array raises {ref.exc!r}")
                H.check_outcome(out, names, desc, spec.tolerate, tl=tl)
            elif not H.same_result(out.result, ref.result):
                raise H.ContractViolation("layout-changes-result", f"{desc}: result differs from the canonical "
                                          "C-contiguous float64 input with the same values")
        H.check_untouched(before, kw, spec.inplace, desc)
    run()


@pytest.mark.parametrize("key", sorted(SPECS))
def test_tolerated_violations_still_reproduce(key):
    # A tolerated (reported, not yet fixed) violation must still be real: once it is fixed, this
    # test fails so that the entry in specs.py is removed and the check becomes strict again.
    target = next((t for t in TARGETS if t.key == key), None)
    spec = SPECS[key]
    if target is None or target.import_error or not spec.tolerate:
        pytest.skip(f"{key}: nothing tolerated")
    base = spec.make()
    names = _names(target, base)
    probes = {"unnamed-parse-error": [("bogus", 1)], "silent-nan": [], "unnamed-error": []}
    for arg, val in base.items():
        k = spec.kinds.get(arg, kind_of(val))
        if k in ("int", "code"):
            probes["unnamed-parse-error"].append((arg, 1.5))
        elif k == "float":
            probes["unnamed-parse-error"].append((arg, "x"))
        elif k == "farray" and val.size:
            probes["unnamed-error"].append((arg, np.ones_like(val)))
            big = val.copy()
            big.flat[0] = 1e308
            probes["silent-nan"].append((arg, big))
    for kind in spec.tolerate:
        seen = []
        for arg, bad in probes.get(kind, []):
            kw = spec.make()
            kw[arg] = bad
            try:
                H.check_outcome(H.call(target.func, kw), names, key)
            except H.ContractViolation as exc:
                seen.append(exc.kind)
        assert kind in seen, \
            f"{key}: tolerated violation {kind!r} no longer occurs; remove it from specs.py"

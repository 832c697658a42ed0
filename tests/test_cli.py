"""The `neurocore` command: registry, report, exit codes."""
import types

import pytest

from neurocore import cli, experiments
from neurocore.experiments import ExperimentResult


def _fake(name, measured, boom=False):
    def run(quick=False, seed=0, out_dir="."):
        if boom:
            raise RuntimeError("kaboom")
        res = ExperimentResult(name, "fake", "nobody 2026")
        res.check("value", measured, 1.0, 0.1, "abs", "theory")
        return res
    return types.SimpleNamespace(NAME=name, TITLE="fake", PAPER="nobody 2026", run=run)


@pytest.fixture
def fake_registry(monkeypatch):
    reg = {"ok": _fake("ok", 1.05), "bad": _fake("bad", 2.0), "boom": _fake("boom", 0, boom=True)}
    monkeypatch.setattr(experiments, "registry", lambda: reg)
    return reg


def test_registry_finds_every_experiment_module():
    reg = experiments.registry()
    assert "scs_transition" in reg
    for name, mod in reg.items():
        assert mod.NAME == name and callable(mod.run) and mod.TITLE and mod.PAPER


def test_reproduce_pass_writes_report(fake_registry, tmp_path, capsys):
    assert cli.main(["reproduce", "ok", "--out", str(tmp_path)]) == 0
    report = (tmp_path / "report.md").read_text()
    assert "| ok | value | 1.05 | 1 ± 0.1 | theory | yes |" in report
    assert "report:" in capsys.readouterr().out


def test_reproduce_failed_metric_exit_code(fake_registry, tmp_path):
    assert cli.main(["reproduce", "ok", "bad", "--out", str(tmp_path)]) == cli.EXIT_METRICS_FAILED
    assert "**NO**" in (tmp_path / "report.md").read_text()


def test_reproduce_crash_is_reported_and_others_still_run(fake_registry, tmp_path):
    assert cli.main(["reproduce", "all", "--out", str(tmp_path)]) == cli.EXIT_CRASHED
    report = (tmp_path / "report.md").read_text()
    assert "RuntimeError: kaboom" in report and "| ok | value |" in report


def test_unknown_experiment(fake_registry, tmp_path):
    assert cli.main(["reproduce", "nope", "--out", str(tmp_path)]) == 2

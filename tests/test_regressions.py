"""One parametrised test over tests/fixtures/regressions: each fixture is a tiny input that once broke
a rule, with its expected outcome beside it (the fixture README gives the convention)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.ingest.parsing import parse_file, sha256_file
from tests.corpus_index import as_printed, expected_facts

FIXTURES = Path(__file__).parent / "fixtures" / "regressions"


def _cases() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.suffix != ".json" and p.name != "README.md")


@pytest.mark.parametrize("path", _cases(), ids=lambda p: p.stem)
def test_regression_fixture(path: Path) -> None:
    spec = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    outcome = parse_file(str(path), sha256_file(path))
    if spec["outcome"] == "rejected":
        assert not outcome.ok and outcome.reason_code == spec["reason_code"], outcome.reason
        assert spec.get("reason_contains", "") in (outcome.reason or "")
        return
    assert outcome.ok, f"{outcome.reason_code}: {outcome.reason}"
    report = outcome.report
    got = as_printed((f[0], f[1], f[2], f[3], f[4]) for f in report.facts)
    if "truth" in spec:
        drop = set(spec.get("drop_codes", ()))
        want = {f for f in expected_facts(spec["truth"]) if f[0] not in drop}
    else:
        want = {(c, p, None if v is None else float(v), s) for c, p, v, s in spec["facts"]}
    assert got == want
    for needle in spec.get("warnings_contain", ()):
        assert any(needle in w for w in report.warnings), (needle, report.warnings)


def test_every_fixture_has_its_expectation() -> None:
    for path in _cases():
        assert path.with_suffix(".json").is_file(), f"{path.name} has no {path.stem}.json"

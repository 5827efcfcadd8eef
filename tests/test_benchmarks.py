"""The benchmark command runs and reports every case (quick sizes)."""

import json
import runpy
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[1] / "benchmarks" / "bench_normalize.py"

EXPECTED_CASES = {
    "small 100x10 float64 transform",
    "small 1000x50 float64 transform",
    "sparse csr float64 copy=True",
    "sparse csc float64 copy=True",
    "dense axis=0 float64 fit+transform",
} | {
    f"dense {kind} {dtype} copy={copy}"
    for kind in ("narrow", "wide", "tall")
    for dtype in ("float32", "float64")
    for copy in (True, False)
}


@pytest.mark.skipif(not BENCH.exists(), reason="benchmarks/ not shipped")
def test_quick_benchmark_writes_every_case(tmp_path, monkeypatch):
    monkeypatch.setattr(
        sys, "argv", [str(BENCH), "--quick", "--no-plot", "--out", str(tmp_path)]
    )
    runpy.run_path(str(BENCH), run_name="__main__")
    result = json.loads((tmp_path / "bench_normalize.json").read_text())
    rows = {row["case"]: row for row in result["cases"]}
    assert set(rows) == EXPECTED_CASES
    for row in rows.values():
        assert row["median_s"]["sklearn_l2"] > 0
        assert row["median_s"]["floor"] > 0
        assert row["vs_floor"] > 0
        assert "sklearn_l2" in row["peak_extra_bytes"]

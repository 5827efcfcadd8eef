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
    "sparse csr float64 copy=False",
    "sparse csc float64 copy=False",
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
        assert row["median_s"][row["floor"]] > 0
        assert row["vs_floor"] > 0
        assert "sklearn_l2" in row["peak_extra_bytes"]
    table = (tmp_path / "bench_normalize.md").read_text(encoding="utf-8")
    assert {line.split(" | ")[0].lstrip("| ") for line in table.splitlines()[2:]} == (
        EXPECTED_CASES
    )


BIG = Path(__file__).parents[1] / "benchmarks" / "bench_big.py"


@pytest.mark.skipif(not BIG.exists(), reason="benchmarks/ not shipped")
def test_quick_big_run_records_peak_memory_and_removes_its_files(tmp_path):
    files = tmp_path / "files"
    runpy.run_path(str(BIG), run_name="bench_big")["main"](
        ["--quick", "--dir", str(files), "--out", str(tmp_path)]
    )
    result = json.loads((tmp_path / "bench_big.json").read_text())
    calls = [
        result["sparse"]["norms"],
        result["sparse"]["normalize_in_place"],
        result["dense"]["normalize_into_memmap"],
        result["dense"]["normalize_in_place"],
    ]
    for call in calls:
        assert 0 <= call["peak_traced_mib"] <= call["limit_mib"]
    assert result["sparse"]["index_dtype"] == "int64"
    assert not files.exists()

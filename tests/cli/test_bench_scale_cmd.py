"""``cauce bench-scale``: without PostgreSQL it measures the embedded worker alone and says what it skipped."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cli.main import main


def test_bench_scale_without_postgresql_measures_the_embedded_worker(home: Path) -> None:
    answer = CliRunner().invoke(main, ["bench-scale", "--jobs", "10", "--repeats", "1", "--json"])
    assert answer.exit_code == 0, answer.output
    result = json.loads(answer.output)
    assert result["sqlite_embedded_1_thread_jobs_per_s"] > 0
    assert "not measured" in result["pg"]
    text = CliRunner().invoke(main, ["bench-scale", "--jobs", "10", "--repeats", "1"])
    assert text.exit_code == 0 and "sqlite_embedded_1_thread_jobs_per_s: " in text.output


def test_bench_scale_refuses_nonsense_sizes(home: Path) -> None:
    answer = CliRunner().invoke(main, ["bench-scale", "--jobs", "0"])
    assert answer.exit_code == 2 and "Traceback" not in answer.output

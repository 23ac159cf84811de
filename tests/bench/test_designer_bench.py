"""bench/designer_bench.py on a handful of rounds: every pair measured, every migrated instance really moved."""

from __future__ import annotations

from bench.designer_bench import MODELS, run


def test_designer_bench_reports_each_pair() -> None:
    result = run(instances=2, rounds=1)
    assert set(result["validate_vs_deploy"]) == set(MODELS)
    for figures in result["validate_vs_deploy"].values():
        assert figures["validate_ms"] > 0 and figures["deploy_ms"] > 0 and figures["files"] >= 1
    migration = result["migrate_vs_step"]
    assert migration["instances"] == 2 and migration["migrate_to_step"] > 0

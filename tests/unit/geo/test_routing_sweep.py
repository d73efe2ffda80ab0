"""The routing sweep (`python -m bench.routing_sweep`) on a small network: it seeds, routes every demo query through
the ticket service and writes a report whose figures add up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.routing_sweep import MAIL_IN, OUTCOMES, OUTLET, UNROUTED, build_queries, main
from bot.domain.catalogue import INSTALLABLE
from bot.seed.catalogue import build_catalogue
from bot.seed.demo_cities import DEMO_BRANDS, DEMO_CITIES


def test_queries_cover_every_demo_city_brand_and_category_sold_there() -> None:
    queries, not_sold = build_queries(build_catalogue())
    assert not_sold == [("new_york", "xiaomi"), ("new_york", "huawei")]  # not sold in the US
    assert {q.city.key for q in queries} == {c.key for c in DEMO_CITIES}
    assert {q.brand_code for q in queries} == set(DEMO_BRANDS)
    beijing_xiaomi = [q.category.value for q in queries if q.city.key == "beijing" and q.brand_code == "xiaomi"]
    assert len(beijing_xiaomi) == 8 and "air_conditioner" in beijing_xiaomi
    assert len(queries) == len({(q.city.key, q.brand_code, q.category) for q in queries})


@pytest.mark.slow
def test_the_sweep_runs_on_a_small_network(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "bench" / "sweep.json"
    assert main(["--outlets", "300", "--seed", "7", "--output", str(output)]) == 0
    report = json.loads(output.read_text(encoding="utf-8"))
    summary, results = report["summary"], report["results"]
    assert report["outlets"] == 300 and summary["overall"]["queries"] == len(results) > 0
    for side in ("overall", "china", "overseas"):
        row = summary[side]
        assert sum(row["counts"].values()) == row["queries"]
        assert abs(sum(row[k] for k in OUTCOMES) - 1.0) < 0.01
    assert summary["china"]["queries"] + summary["overseas"]["queries"] == len(results)
    installed = {c.value for c in INSTALLABLE}
    assert summary["installed_in_mail_in"] == 0
    assert not [r for r in results if r["category"] in installed and r["outcome"] == MAIL_IN]
    assert all((r["outlet_id"] is None) == (r["outcome"] == UNROUTED) for r in results)
    # A 300-outlet network still has its first demo cities guaranteed: Beijing is served on the spot.
    assert summary["by_city"]["beijing"][OUTLET] == 1.0
    assert "overall" in capsys.readouterr().out

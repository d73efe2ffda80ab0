"""Schemathesis against `/api/openapi.json`: requests generated from the document (valid and invalid ones) to every
provider operation, with a valid outlet key, never get a 5xx.

Our service runs on a free port in a thread with its own event loop (Schemathesis calls it synchronously). Path
parameters are drawn from real ticket numbers (the outlet's own in several statuses, another outlet's, a missing
one) so that the generated bodies reach the handlers instead of stopping at 404.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from bot.db.models import Base
from bot.db.session import create_async_db_engine, create_sync_engine, make_session_factory
from bot.settings import Settings
from bot.web.app import create_app
from tests.fakes.rasa import closed_port_url
from tests.provider_world import build_world
from tests.threaded_service import ThreadedService

T = TypeVar("T")
EXAMPLES_PER_MODE = 40


async def _world(db_url: str) -> tuple[dict[str, str], list[str]]:
    """Outlets, keys and tickets in different statuses; OUT-A's key headers and the numbers to draw from."""
    engine = create_async_db_engine(db_url)
    try:
        world = await build_world(make_session_factory(engine), stock=1000)
        a = world.identity("OUT-A")
        numbers = [await world.routed_ticket() for _ in range(8)]
        await world.provider.accept(a, numbers[1])
        for number in numbers[2:5]:
            await world.provider.accept(a, number)
            await world.provider.update_status(a, number, _status("in_repair"))
        await world.provider.reject(a, numbers[5], "busy")  # now OUT-B's: 404 for OUT-A
        return {"Authorization": f"Bearer {world.api_keys['OUT-A']}"}, [*numbers, "AS-20260101-ZZZZZZ"]
    finally:
        await engine.dispose()


def _status(status: str) -> Any:
    from bot.services.providers.status import StatusUpdate

    return StatusUpdate(status)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def service(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[ThreadedService, dict[str, str], list[str]]]:
    db_url = f"sqlite:///{tmp_path / 'schemathesis.db'}"
    if request.param == "postgresql":
        db_url = request.getfixturevalue("pg_url")  # skips when PostgreSQL is not running
    engine = create_sync_engine(db_url)
    Base.metadata.create_all(engine)
    engine.dispose()
    config = replace(Settings.from_env({"RASA_URL": closed_port_url()}), database_url=db_url,
                     csat_dispatch_interval_s=0, extra={"SLA_SWEEP_INTERVAL_S": "0"})
    running = ThreadedService(create_app(config))
    try:
        headers, numbers = running.call(_world(db_url))
        yield running, headers, numbers
    finally:
        running.close()


def _fuzz(operation: Any, mode: GenerationMode, url: str, headers: dict[str, str], numbers: list[str]) -> int:
    """Run one operation in one generation mode; the number of requests made."""
    made = 0

    @settings(max_examples=EXAMPLES_PER_MODE, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def check(case: schemathesis.Case, data: st.DataObject) -> None:
        nonlocal made
        if case.path_parameters and "number" in case.path_parameters:
            case.path_parameters["number"] = data.draw(st.sampled_from(numbers))
        response = case.call(base_url=url, headers=headers, timeout=30)
        case.validate_response(response, checks=[not_a_server_error])
        made += 1

    check()
    return made


def test_provider_api_never_answers_5xx(service: tuple[ThreadedService, dict[str, str], list[str]]) -> None:
    running, headers, numbers = service
    schema = schemathesis.openapi.from_url(f"{running.url}/api/openapi.json").include(path_regex="^/api/v1/provider")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 8
    counted = {
        f"{operation.label} [{mode.value}]": _fuzz(operation, mode, running.url, headers, numbers)
        for operation in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    }
    total = sum(counted.values())
    print(f"schemathesis: {total} requests over {len(counted)} operation x mode runs: {counted}")  # noqa: T201
    assert total >= len(operations) * 10  # generation really ran (negative runs may yield fewer examples)

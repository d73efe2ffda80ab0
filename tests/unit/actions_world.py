"""The actions' test world: a seeded SQLite network, the services over it, trackers as Rasa sends them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from actions.runtime import Services, use_services
from bot.db import migrate
from bot.db.models import Authorisation, Brand, Handoff, Outlet, Ticket
from bot.db.session import create_async_db_engine, make_session_factory
from bot.seed import run_seed

TODAY = date.today()
BEIJING = {"lat": 39.98, "lon": 116.31, "country": "CN", "adcode": "110108", "label": "北京市海淀区"}


@pytest.fixture(scope="module")
def seeded_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('actions') / 'actions.db'}"
    migrate.upgrade(url)
    run_seed(url, outlets=400, seed=5, today=TODAY)
    return url


@pytest.fixture
async def svc(seeded_url: str) -> AsyncIterator[Services]:
    engine = create_async_db_engine(seeded_url)
    services = Services.from_sessions(make_session_factory(engine))
    use_services(services)
    if not NEAR_GREE:
        async with services.sessions() as session:
            outlet = (await session.execute(
                select(Outlet).join(Authorisation, Authorisation.outlet_id == Outlet.id).join(
                    Brand, Brand.id == Authorisation.brand_id).where(
                    Brand.code == "gree", Authorisation.category == "air_conditioner", Outlet.country == "CN",
                    Authorisation.service_type == "repair", Authorisation.valid_to.is_(None),
                    Authorisation.valid_from <= TODAY, Outlet.active.is_(True),
                    Outlet.is_mail_in_hub.is_(False)).order_by(Outlet.id).limit(1))).scalar_one()
        NEAR_GREE.update(lat=outlet.lat + 0.01, lon=outlet.lon + 0.01, country="CN", adcode=outlet.adcode,
                         label="near")
    yield services
    use_services(None)
    await engine.dispose()


def tracker(sender: str = "u1", slots: dict[str, Any] | None = None, text: str = "", intent: str = "inform",
            events: list[dict[str, Any]] | None = None, entities: list[dict[str, Any]] | None = None) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or []}
    user_event = {"event": "user", "timestamp": 1700000000.5, "text": text, "parse_data": latest,
                  "input_channel": "rest"}
    return Tracker(sender, {"language": "zh", **(slots or {})}, latest, [*(events or []), user_event], False, None,
                   None, "action_listen")


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [m.get("response") for m in dispatcher.messages]


#: Beside a non-hub outlet authorised to repair Gree air conditioners (found once per module).
NEAR_GREE: dict[str, Any] = {}


def repair_slots(**extra: Any) -> dict[str, Any]:
    return {"brand": "gree", "product_category": "air_conditioner", "symptom": "空调不制冷 E1",
            "location": "北京市海淀区", "geo": NEAR_GREE or BEIJING, "phone": "+8613812345678", "awaiting": "repair",
            "draft_id": "d1", **extra}


async def ticket_count(svc: Services, sender: str) -> int:
    async with svc.sessions() as session:
        return int((await session.execute(
            select(func.count()).select_from(Ticket).where(Ticket.conversation_id == sender))).scalar_one())



REPAIR_DOMAIN = {"forms": {"repair_form": {"required_slots": ["brand", "product_category", "symptom", "location",
                                                              "phone"]}}}


def form_tracker(sender: str, text: str, slots: dict[str, Any], candidates: dict[str, Any],
                 entities: list[dict[str, Any]] | None = None) -> Tracker:
    """The repair form's validation turn: the user's message, then the slot candidates Rasa extracted from it."""
    latest = {"text": text, "intent": {"name": "inform", "confidence": 0.9}, "entities": entities or []}
    events = [{"event": "user", "timestamp": 1700000000.5, "text": text, "parse_data": latest, "input_channel": "rest"},
              *({"event": "slot", "timestamp": None, "name": k, "value": v} for k, v in candidates.items())]
    return Tracker(sender, {**slots, **candidates}, latest, events, False, None, {"name": "repair_form"},
                   "action_listen")


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "timestamp": None, "name": name, "value": value}


HANDED_OVER = [{"event": "active_loop", "timestamp": None, "name": None}, slot("requested_slot", None),
               slot("awaiting", None), {"event": "pause", "timestamp": None}]


async def handoff_reasons(svc: Services, sender: str) -> list[str]:
    async with svc.sessions() as session:
        return list((await session.execute(select(Handoff.reason).where(Handoff.conversation_id == sender))).scalars())



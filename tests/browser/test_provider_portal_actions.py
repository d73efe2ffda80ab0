"""The provider portal's work on a ticket, in headless Chromium on a phone, against our service alone: reject with a
required reason, schedule in the browser's time zone, the status updates and a note; a ticket taken away meanwhile
(404) and a status changed meanwhile (409) are explained; a revoked key signs the outlet out; hostile text stays
text."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from bot.db.models import Ticket, TicketEvent
from tests.browser.conftest import PHONE, SCALE
from tests.browser.portal_service import PortalService, portal_service
from tests.provider_world import PART_CODE

HOSTILE = '<img src=x onerror="document.title=1">空调不制冷'
SHANGHAI = timezone(timedelta(hours=8))


@pytest.fixture(scope="module")
def service(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PortalService]:
    with portal_service(tmp_path_factory.mktemp("portal_actions")) as running:
        yield running


def _signed_in(browser: Browser, service: PortalService, key: str | None = None) -> tuple[Page, list[str]]:
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=SCALE, is_mobile=True, has_touch=True,
                              locale="en-GB", timezone_id="Asia/Shanghai")
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" and "status of 40" not in m.text
            else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{service.url}/provider")
    page.locator("#api-key").fill(key or service.world.api_keys["OUT-A"])
    page.locator("#signin-button").click()
    expect(page.locator("#outlet")).to_have_text("Outlet OUT-A")
    return page, problems


def _state(service: PortalService, number: str) -> tuple[Ticket, list[TicketEvent]]:
    async def read() -> tuple[Ticket, list[TicketEvent]]:
        async with service.world.sessions() as session:
            ticket = (await session.execute(select(Ticket).where(Ticket.number == number))).scalar_one()
            events = (await session.execute(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                                            .order_by(TicketEvent.id))).scalars().all()
        return ticket, list(events)

    return service.run(read)


def _open(page: Page, number: str) -> None:
    page.locator(f'.ticket[data-number="{number}"]').click()
    expect(page.locator("#detail-title")).to_have_text(number)


@pytest.mark.slow
def test_reject_needs_a_reason_and_hostile_text_stays_text(browser: Browser, service: PortalService) -> None:
    number = service.run(lambda: service.world.routed_ticket(symptom=HOSTILE))
    page, problems = _signed_in(browser, service)
    card = page.locator(f'.ticket[data-number="{number}"]')
    expect(card.locator(".ticket-symptom")).to_have_text(HOSTILE)
    assert page.locator(".ticket img").count() == 0
    _open(page, number)
    page.get_by_role("button", name="Reject", exact=True).click()
    expect(page.locator("#toast")).to_have_text("Please give a reason for rejecting.")
    page.get_by_label("Reason for rejecting (required)").fill("no technician free this week")
    page.get_by_role("button", name="Reject", exact=True).click()
    expect(page.locator("#toast")).to_have_text("Rejected; the ticket goes to another outlet.")
    expect(page.locator("#list-view")).to_be_visible()
    expect(card).to_have_count(0)
    ticket, events = _state(service, number)
    assert (ticket.status, ticket.assigned_outlet_id) == ("rerouted", service.world.outlet_ids["OUT-B"])
    assert [e.data.get("reason") for e in events if e.kind == "rejected"] == ["no technician free this week"]
    assert page.title() != "1" and problems == []


@pytest.mark.slow
def test_schedule_status_updates_and_a_note(browser: Browser, service: PortalService) -> None:
    number = service.run(lambda: service.world.routed_ticket())
    service.run(lambda: service.world.provider.accept(service.world.identity("OUT-A"), number))
    page, problems = _signed_in(browser, service)
    page.get_by_role("tab", name="Accepted").click()
    _open(page, number)
    expect(page.locator("#detail-contact")).to_contain_text("+8613812345678")

    local = (datetime.now(SHANGHAI) + timedelta(days=2)).replace(hour=9, minute=30, second=0, microsecond=0)
    page.get_by_label("Visit / drop-off time").fill(local.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save appointment").click()
    expect(page.locator("#detail-status")).to_have_text("Scheduled")
    expect(page.locator("#detail-facts")).to_contain_text("Appointment")
    [scheduled] = [e for e in _state(service, number)[1] if e.kind == "scheduled"]
    assert datetime.fromisoformat(scheduled.data["at"]) == local  # 09:30 in Shanghai, sent with +08:00

    page.get_by_role("button", name="Start repair").click()
    expect(page.locator("#detail-status")).to_have_text("In repair")
    page.get_by_label("Part code (optional)").fill(PART_CODE)
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Waiting for parts").click()
    expect(page.locator("#detail-status")).to_have_text("Waiting for parts")
    expect(page.locator("#detail-facts")).to_contain_text(f"{PART_CODE} × 2")
    page.get_by_role("button", name="Mark as resolved").click()
    expect(page.locator("#toast")).to_have_text("Please describe what was done.")
    page.get_by_label("What was done (required)").fill("replaced the compressor relay")
    page.get_by_role("button", name="Mark as resolved").click()
    expect(page.locator("#detail-status")).to_have_text("Resolved")
    page.get_by_label("Note", exact=True).fill("customer happy")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#detail-history")).to_contain_text("customer happy")
    expect(page.locator("#detail-history")).to_contain_text("replaced the compressor relay")

    ticket, events = _state(service, number)
    assert ticket.status == "resolved"
    assert [e.kind for e in events][-5:] == ["scheduled", "in_repair", "waiting_parts", "resolved", "note"]
    assert {e.actor for e in events[-5:]} == {"outlet:OUT-A"}
    assert problems == []


@pytest.mark.slow
def test_changes_made_elsewhere_are_explained(browser: Browser, service: PortalService) -> None:
    gone = service.run(lambda: service.world.routed_ticket())
    moved = service.run(lambda: service.world.routed_ticket())
    key = service.run(lambda: service.world.keys.issue("OUT-A")).key  # revoked below
    page, problems = _signed_in(browser, service, key)
    _open(page, gone)
    service.run(lambda: service.world.provider.reject(service.world.identity("OUT-A"), gone, "by phone"))
    page.get_by_role("button", name="Accept", exact=True).click()
    expect(page.locator("#toast")).to_have_text("This ticket is no longer assigned to your outlet.")
    expect(page.locator("#list-view")).to_be_visible()

    _open(page, moved)
    service.run(lambda: service.world.provider.accept(service.world.identity("OUT-A"), moved))
    page.get_by_label("Reason for rejecting (required)").fill("too far")
    page.get_by_role("button", name="Reject", exact=True).click()
    expect(page.locator("#toast")).to_contain_text("Not possible in the ticket's current status")
    expect(page.locator("#detail-status")).to_have_text("Accepted")  # reloaded

    service.run(lambda: service.world.keys.revoke(key[:12]))
    page.get_by_role("button", name="← Back to the list").click()
    expect(page.locator("#signin-error")).to_have_text(
        "The key is not valid or has been revoked. Please sign in again.")
    assert page.evaluate("sessionStorage.getItem('aftersales.provider.key')") is None
    assert problems == []

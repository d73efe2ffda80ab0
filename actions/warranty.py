"""Warranty decisions with reasons (三包 in China, per-country rules elsewhere) and the next step they imply."""

from __future__ import annotations

from datetime import date

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import Events, ServiceAction
from actions.conversation import language_of, location_of, parse_iso_date, user_events
from actions.runtime import Services, within_budget
from actions.texts import REMEDY, day_text, pick
from bot.domain.errors import NotFoundError, ValidationError
from bot.domain.slots import BRAND, PRODUCT_MODEL, PURCHASE_DATE
from bot.domain.warranty import DEFAULT_WARRANTY_MONTHS, FaultKind, Remedy, WarrantyDecision, decide, fault_kind
from bot.nlu.text.normalise import normalise
from bot.services.tickets.warranty import utc_today

NEXT_STEP = {
    Remedy.RETURN: ("say \"return\" and I'll open a return request.", "回复“退货”即可为您创建退货申请。"),
    Remedy.EXCHANGE: ("say \"exchange\" and I'll open an exchange request.", "回复“换货”即可为您创建换货申请。"),
    Remedy.FREE_REPAIR: ("say \"repair\" and I'll book a free repair.", "回复“报修”即可为您安排免费维修。"),
    Remedy.PAID_REPAIR: ("say \"repair\" to book a repair; the outlet quotes before any paid work.",
                         "回复“报修”可安排维修，网点会先报价，经您同意后再收费维修。"),
}


def reported_fault(tracker: Tracker) -> FaultKind:
    """The kind of fault the conversation reports: symptom codes and the customer's own words, every turn."""
    events = user_events(tracker)
    symptoms = [str(e.get("value")) for event in events for e in (event.get("parse_data") or {}).get("entities") or []
                if e.get("entity") == "symptom" and e.get("value")]
    texts = [normalise(str(event.get("text") or "")) for event in events
             if not str(event.get("text") or "").startswith("/")]  # simplified, half-width: 摔壞 reads as 摔坏
    return fault_kind(symptoms, texts)


async def coverage(
    svc: Services, tracker: Tracker, bought: date, country: str, fault: FaultKind = FaultKind.UNKNOWN
) -> tuple[WarrantyDecision, bool]:
    """The warranty decision, and whether the default warranty was assumed.

    Under the warranty of the model the customer named (`ProductModel.warranty_months`), else under
    `DEFAULT_WARRANTY_MONTHS`.
    """
    decision = decide(bought, utc_today(), DEFAULT_WARRANTY_MONTHS, country, fault)
    model = tracker.get_slot(PRODUCT_MODEL)
    if not model:
        return decision, True
    try:
        return await within_budget(svc.warranty.check(
            purchase_date=bought, country=country, model_code=str(model), brand_code=tracker.get_slot(BRAND),
            fault=fault,
        )), False
    except (NotFoundError, ValidationError):
        return decision, True


def explain(decision: WarrantyDecision, language: str, assumed: bool) -> tuple[str, str, str]:
    """(headline, reasons, next step) in the customer's language."""
    ends = day_text(decision.warranty_ends, language)
    if language == "en":
        headline = (f"Your product is under warranty until {ends}." if decision.in_warranty
                    else f"Your product's warranty ended on {ends}.")
        reasons = [f"- Bought {decision.days_since_purchase} days ago; rules: {decision.basis}.",
                   "- You can ask for: " + "; ".join(pick(REMEDY[r], language) for r in decision.remedies) + "."]
        if "accidental_damage_not_covered" in decision.reasons:
            reasons.append("- Accidental damage (a drop, liquid, misuse) is not covered by the warranty: "
                           "the repair is paid, quoted first.")
        if assumed:
            reasons.append(f"- I assumed the standard {DEFAULT_WARRANTY_MONTHS}-month warranty; "
                           "tell me the model for its exact terms.")
    else:
        headline = f"您的产品在保修期内，保修至{ends}。" if decision.in_warranty else f"您的产品已于{ends}过保。"
        reasons = [f"- 购买至今{decision.days_since_purchase}天，适用规定：{decision.basis}。",
                   "- 您可以申请：" + "；".join(pick(REMEDY[r], language) for r in decision.remedies) + "。"]
        if "accidental_damage_not_covered" in decision.reasons:
            reasons.append("- 摔落、进水等人为损坏不在保修（三包）范围内，需付费维修，网点会先报价。")
        if assumed:
            reasons.append(f"- 未提供型号，按{DEFAULT_WARRANTY_MONTHS}个月整机保修估算；告诉我型号可查询准确保修期。")
    return headline, "\n".join(reasons), pick(NEXT_STEP[decision.best_remedy], language)


class ActionWarrantyDecision(ServiceAction):
    """Decides coverage from the purchase date, model (if given) and country."""

    def name(self) -> str:
        """The action's name, as the domain lists it."""
        return "action_warranty_decision"

    async def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services) -> Events:
        """Decide the coverage and explain it."""
        language = language_of(tracker)
        bought = parse_iso_date(tracker.get_slot(PURCHASE_DATE))
        if bought is None:
            dispatcher.utter_message(response="invalid_purchase_date")
            return [SlotSet(PURCHASE_DATE, None)]
        location = location_of(tracker)
        country = location.country if location else "CN"
        decision, assumed = await coverage(svc, tracker, bought, country, reported_fault(tracker))
        headline, reasons, next_step = explain(decision, language, assumed)
        dispatcher.utter_message(response="warranty_decision", headline=headline, reasons=reasons, next_step=next_step)
        return []

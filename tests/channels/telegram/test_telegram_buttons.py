"""Callback data: only payloads the bot offered are honoured, so a crafted callback cannot inject intents."""

from __future__ import annotations

from integrations.telegram.buttons import ButtonBook, callback_key, domain_button_payloads


def test_offered_payloads_resolve_and_others_do_not() -> None:
    book = ButtonBook()
    assert book.offer("/affirm") == "/affirm"
    assert book.resolve("/affirm") == "/affirm"
    assert book.resolve('/inform{"phone": "+8613800000000"}') is None, "a forged payload is not honoured"
    assert book.resolve("") is None and book.resolve(None) is None


def test_the_domain_payloads_are_known_after_a_restart() -> None:
    responses = {
        "repair_summary": [{"text": "…", "buttons": [{"title": "确认提交", "payload": "/affirm"}]}],
        "ask_csat": [{"text": "…", "buttons": [{"title": "5", "payload": '/inform{"csat_score": "5", "x": "' + "y" * 60
                                                + '"}'}]}],
        "utter_goodbye": [{"text": "再见"}],
    }
    payloads = domain_button_payloads(responses)
    assert len(payloads) == 2
    book = ButtonBook(lambda: payloads)  # a fresh process: nothing offered yet
    assert book.resolve("/affirm") == "/affirm"
    assert book.resolve(callback_key(payloads[1])) == payloads[1]
    assert book.resolve("/deny") is None


def test_the_domain_is_asked_again_until_the_model_is_loaded() -> None:
    loaded: list[str] = []
    book = ButtonBook(lambda: loaded)
    assert book.resolve("/affirm") is None
    loaded.append("/affirm")
    assert book.resolve("/affirm") == "/affirm"


def test_keys_are_stable_and_a_payload_that_looks_like_a_key_is_keyed_too() -> None:
    assert callback_key("x" * 100) == callback_key("x" * 100)
    assert callback_key("x" * 100) != callback_key("x" * 101)
    assert callback_key("#abc").startswith("#") and callback_key("#abc") != "#abc"


def test_the_book_forgets_the_oldest_offers_beyond_its_capacity() -> None:
    book = ButtonBook(capacity=2)
    for payload in ("/a", "/b", "/c"):
        book.offer(payload)
    assert book.resolve("/a") is None and book.resolve("/c") == "/c"

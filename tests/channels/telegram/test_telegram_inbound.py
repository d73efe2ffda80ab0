"""Recorded Update shapes from the Bot API documentation, parsed with python-telegram-bot and reduced to actions."""

from __future__ import annotations

import pytest

from integrations.telegram.inbound import (
    LOCATION_TEXT,
    InvalidUpdate,
    Kind,
    chat_id_of,
    parse_update,
    sender_id,
)
from tests.channels.telegram.telegram_updates import recorded, start_update, text_update


def test_a_text_message() -> None:
    inbound = parse_update(recorded("message"))
    assert (inbound.kind, inbound.chat_id, inbound.language) == (Kind.TEXT, 7001, "zh")
    assert inbound.text == "我的格力空调不制冷了，显示E1"
    assert inbound.sender_id == "tg:7001" and inbound.update_id == 815600001


@pytest.mark.parametrize(("language", "greeting", "ack"), [("zh-hans", "你好", "zh"), ("zh-TW", "你好", "zh"),
                                                           ("en", "hello", "en"), ("ru", "hello", "en")])
def test_start_becomes_a_greeting_in_the_user_language(language: str, greeting: str, ack: str) -> None:
    inbound = parse_update(start_update(1, 5, language))
    assert (inbound.kind, inbound.text, inbound.language) == (Kind.TEXT, greeting, ack)
    with_payload = text_update(2, 5, "/start campaign42", language)
    assert parse_update(with_payload).text == greeting


def test_a_missing_language_code_means_english() -> None:
    update = recorded("message")
    del update["message"]["from"]["language_code"]
    assert parse_update(update).language == "en"


@pytest.mark.parametrize("typed", ['/inform{"phone": "+8613800000000"}', "/affirm", "//restart"])
def test_typed_text_is_never_taken_for_an_intent_payload(typed: str) -> None:
    text = parse_update(text_update(3, 5, typed)).text
    assert not text.startswith("/") and text == typed.lstrip("/")


def test_an_edited_message_is_ignored_gracefully() -> None:
    inbound = parse_update(recorded("edited_message"))
    assert inbound.kind is Kind.IGNORED and inbound.reason == "edited_message"


def test_a_callback_query() -> None:
    inbound = parse_update(recorded("callback_query"))
    assert (inbound.kind, inbound.chat_id, inbound.callback_id, inbound.callback_data) == (
        Kind.CALLBACK, 7001, "4382bfdwdsb323b2d9", "/affirm")


def test_a_callback_whose_message_is_gone_answers_the_user_chat() -> None:
    update = recorded("callback_query")
    del update["callback_query"]["message"]
    assert parse_update(update).chat_id == 7001


def test_a_shared_location_carries_coordinates_as_metadata() -> None:
    inbound = parse_update(recorded("location"))
    assert inbound.kind is Kind.LOCATION and inbound.text == LOCATION_TEXT
    assert inbound.metadata == {"location": {"latitude": 39.983105, "longitude": 116.312171}}


def test_a_venue_uses_its_name_as_the_text() -> None:
    inbound = parse_update(recorded("venue"))
    assert inbound.kind is Kind.LOCATION and inbound.text == "中关村大街27号"
    assert inbound.metadata["location"]["latitude"] == pytest.approx(39.983105)


def test_a_shared_contact_becomes_its_international_phone_number() -> None:
    inbound = parse_update(recorded("contact"))
    assert (inbound.kind, inbound.text) == (Kind.CONTACT, "+8613812345678")


def test_a_photo_takes_the_largest_size() -> None:
    inbound = parse_update(recorded("photo"))
    assert (inbound.kind, inbound.file_id, inbound.file_size) == (Kind.PHOTO, "AgACAgUAAxkBAAIBlarge", 64320)
    assert inbound.text == "显示屏上的故障码"


def test_an_image_document_is_a_photo_and_other_documents_are_refused() -> None:
    update = recorded("document")
    assert parse_update(update).kind is Kind.UNSUPPORTED and parse_update(update).reason == "not_image"
    update["message"]["document"]["mime_type"] = "image/jpeg"
    inbound = parse_update(update)
    assert (inbound.kind, inbound.file_id, inbound.language) == (Kind.PHOTO, "BQACAgUAAxkdoc", "en")


def test_a_sticker_is_unsupported_and_a_group_message_ignored() -> None:
    assert parse_update(recorded("sticker")).kind is Kind.UNSUPPORTED
    assert parse_update(recorded("group_message")).kind is Kind.IGNORED


@pytest.mark.parametrize("data", [{}, {"update_id": "1"}, {"update_id": True}, {"update_id": 1, "message": "x"},
                                  {"update_id": 1, "message": {"chat": {}}}, []])
def test_json_that_is_not_an_update_is_refused(data: object) -> None:
    with pytest.raises(InvalidUpdate):
        parse_update(data)  # type: ignore[arg-type]


def test_an_update_of_another_kind_is_ignored() -> None:
    assert parse_update({"update_id": 5, "poll": None}).kind is Kind.IGNORED


def test_sender_ids_are_prefixed_and_round_trip() -> None:
    assert sender_id(-100123) == "tg:-100123"
    assert chat_id_of("tg:-100123") == -100123
    with pytest.raises(ValueError):
        chat_id_of("wx:abc")

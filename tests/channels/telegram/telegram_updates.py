"""Telegram `Update` JSON in the shapes the Bot API documents (https://core.telegram.org/bots/api#update and the
objects it links: Message, User, Chat, CallbackQuery, Location, Venue, Contact, PhotoSize, Document).

`RECORDED` holds one literal update of each kind, as Telegram delivers them (field names, nesting, optional fields
present or absent as in real deliveries); the builders below copy them with the ids and values a test needs.
"""

from __future__ import annotations

import copy
from typing import Any

USER_ZH = {"id": 7001, "is_bot": False, "first_name": "小明", "last_name": "王", "username": "xiaoming",
           "language_code": "zh-hans"}
USER_EN = {"id": 7002, "is_bot": False, "first_name": "Alice", "language_code": "en"}

RECORDED: dict[str, dict[str, Any]] = {
    "message": {
        "update_id": 815600001,
        "message": {
            "message_id": 11,
            "from": USER_ZH,
            "chat": {"id": 7001, "first_name": "小明", "last_name": "王", "username": "xiaoming", "type": "private"},
            "date": 1764576000,
            "text": "我的格力空调不制冷了，显示E1",
        },
    },
    "start": {
        "update_id": 815600002,
        "message": {
            "message_id": 1,
            "from": USER_ZH,
            "chat": {"id": 7001, "first_name": "小明", "type": "private"},
            "date": 1764576000,
            "text": "/start",
            "entities": [{"offset": 0, "length": 6, "type": "bot_command"}],
        },
    },
    "edited_message": {
        "update_id": 815600003,
        "edited_message": {
            "message_id": 11,
            "from": USER_ZH,
            "chat": {"id": 7001, "first_name": "小明", "type": "private"},
            "date": 1764576000,
            "edit_date": 1764576030,
            "text": "我的格力空调不制冷了，显示E2",
        },
    },
    "callback_query": {
        "update_id": 815600004,
        "callback_query": {
            "id": "4382bfdwdsb323b2d9",
            "from": USER_ZH,
            "message": {
                "message_id": 1201,
                "from": {"id": 123456, "is_bot": True, "first_name": "After-sales", "username": "aftersales_bot"},
                "chat": {"id": 7001, "first_name": "小明", "type": "private"},
                "date": 1764576100,
                "text": "请确认报修信息：…",
                "reply_markup": {"inline_keyboard": [[{"text": "确认提交", "callback_data": "/affirm"},
                                                      {"text": "修改信息", "callback_data": "/deny"}]]},
            },
            "chat_instance": "-7125437851364728195",
            "data": "/affirm",
        },
    },
    "location": {
        "update_id": 815600005,
        "message": {
            "message_id": 13,
            "from": USER_ZH,
            "chat": {"id": 7001, "first_name": "小明", "type": "private"},
            "date": 1764576050,
            "location": {"latitude": 39.983105, "longitude": 116.312171},
        },
    },
    "venue": {
        "update_id": 815600006,
        "message": {
            "message_id": 14,
            "from": USER_ZH,
            "chat": {"id": 7001, "first_name": "小明", "type": "private"},
            "date": 1764576050,
            "location": {"latitude": 39.983105, "longitude": 116.312171},
            "venue": {"location": {"latitude": 39.983105, "longitude": 116.312171}, "title": "中关村大街27号",
                      "address": "北京市海淀区中关村大街27号"},
        },
    },
    "contact": {
        "update_id": 815600007,
        "message": {
            "message_id": 15,
            "from": USER_ZH,
            "chat": {"id": 7001, "first_name": "小明", "type": "private"},
            "date": 1764576070,
            "contact": {"phone_number": "8613812345678", "first_name": "小明", "user_id": 7001},
        },
    },
    "photo": {
        "update_id": 815600008,
        "message": {
            "message_id": 16,
            "from": USER_ZH,
            "chat": {"id": 7001, "first_name": "小明", "type": "private"},
            "date": 1764576080,
            "photo": [
                {"file_id": "AgACAgUAAxkBAAIBsmall", "file_unique_id": "AQADs1", "file_size": 1320, "width": 90,
                 "height": 67},
                {"file_id": "AgACAgUAAxkBAAIBmedium", "file_unique_id": "AQADs2", "file_size": 17045, "width": 320,
                 "height": 240},
                {"file_id": "AgACAgUAAxkBAAIBlarge", "file_unique_id": "AQADs3", "file_size": 64320, "width": 1280,
                 "height": 960},
            ],
            "caption": "显示屏上的故障码",
        },
    },
    "document": {
        "update_id": 815600009,
        "message": {
            "message_id": 17,
            "from": USER_EN,
            "chat": {"id": 7002, "first_name": "Alice", "type": "private"},
            "date": 1764576090,
            "document": {"file_name": "invoice.pdf", "mime_type": "application/pdf", "file_id": "BQACAgUAAxkdoc",
                         "file_unique_id": "AgADdoc", "file_size": 48213},
        },
    },
    "sticker": {
        "update_id": 815600010,
        "message": {
            "message_id": 18,
            "from": USER_EN,
            "chat": {"id": 7002, "first_name": "Alice", "type": "private"},
            "date": 1764576095,
            "sticker": {"file_id": "CAACAgIAAxk", "file_unique_id": "AgADstk", "type": "regular", "width": 512,
                        "height": 512, "is_animated": False, "is_video": False, "emoji": "👍"},
        },
    },
    "group_message": {
        "update_id": 815600011,
        "message": {
            "message_id": 19,
            "from": USER_EN,
            "chat": {"id": -1001234567890, "title": "Appliance owners", "type": "supergroup"},
            "date": 1764576099,
            "text": "anyone else with a leaking washer?",
        },
    },
}


def recorded(kind: str) -> dict[str, Any]:
    """A deep copy of the recorded update of `kind`."""
    return copy.deepcopy(RECORDED[kind])


def _private(update: dict[str, Any], key: str, update_id: int, chat_id: int, language: str) -> dict[str, Any]:
    update["update_id"] = update_id
    part = update[key]
    user = dict(part["from"], id=chat_id, language_code=language)
    part["from"] = user
    chat = part["message"]["chat"] if key == "callback_query" else part["chat"]
    chat["id"] = chat_id
    return update


def text_update(update_id: int, chat_id: int, text: str, language: str = "zh-hans") -> dict[str, Any]:
    """A private text message."""
    update = _private(recorded("message"), "message", update_id, chat_id, language)
    update["message"]["text"] = text
    return update


def start_update(update_id: int, chat_id: int, language: str = "zh-hans") -> dict[str, Any]:
    """/start, as sent when a user opens the bot."""
    return _private(recorded("start"), "message", update_id, chat_id, language)


def callback_update(update_id: int, chat_id: int, data: str, language: str = "zh-hans") -> dict[str, Any]:
    """A tap on an inline button carrying `data`."""
    update = _private(recorded("callback_query"), "callback_query", update_id, chat_id, language)
    update["callback_query"]["data"] = data
    update["callback_query"]["id"] = f"cbq-{update_id}"
    return update


def location_update(update_id: int, chat_id: int, latitude: float, longitude: float,
                    language: str = "zh-hans") -> dict[str, Any]:
    """A shared location."""
    update = _private(recorded("location"), "message", update_id, chat_id, language)
    update["message"]["location"] = {"latitude": latitude, "longitude": longitude}
    return update


def contact_update(update_id: int, chat_id: int, phone: str, language: str = "zh-hans") -> dict[str, Any]:
    """The user's own contact, shared with the request_contact button."""
    update = _private(recorded("contact"), "message", update_id, chat_id, language)
    update["message"]["contact"].update(phone_number=phone, user_id=chat_id)
    return update


def photo_update(update_id: int, chat_id: int, file_id: str, file_size: int | None = None,
                 caption: str | None = None, language: str = "zh-hans") -> dict[str, Any]:
    """A photo whose largest size is `file_id`."""
    update = _private(recorded("photo"), "message", update_id, chat_id, language)
    largest = update["message"]["photo"][-1]
    largest["file_id"] = file_id
    if file_size is None:
        largest.pop("file_size")
    else:
        largest["file_size"] = file_size
    if caption is None:
        update["message"].pop("caption")
    else:
        update["message"]["caption"] = caption
    return update

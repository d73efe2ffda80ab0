"""What a WeChat push means to the bot: the plaintext XML (after any decryption) read by wechatpy into an `Inbound`.

WeChat's message and event formats: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/
Receiving_standard_messages.html and .../Receiving_event_pushes.html. Location_X is the latitude, Location_Y the
longitude. WeChat retries a push it got no answer to three times with the same MsgId; events carry no MsgId and are
recognised by FromUserName + CreateTime (plus the event type, so two events in one second stay distinct).
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any
from xml.parsers.expat import ExpatError

from wechatpy import parse_message

from integrations.wechat.errors import MalformedMessage

#: Customer texts are cut to this many characters before they reach Rasa (WeChat itself allows about 2,000).
MAX_TEXT_CHARS = 2000
#: Conversation ids of this channel: "wx:<openid>".
CONVERSATION_PREFIX = "wx:"
_OPENID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_KIND_NAME = re.compile(r"[a-z_]{1,40}")
_GREETING_EVENTS = {"subscribe", "subscribe_scan"}


class Kind(str, Enum):
    """What the bot does with an inbound push."""

    TEXT = "text"  # typed text (or a voice message WeChat transcribed)
    LOCATION = "location"  # a shared location: coordinates and the place's label
    IMAGE = "image"  # a photo: stored and attached to the customer's ticket
    SUBSCRIBE = "subscribe"  # the customer followed the account: greet them
    CLICK = "click"  # a CLICK item of the account's menu: its EventKey
    UNSUPPORTED = "unsupported"  # a message kind the bot cannot read (video, file, link…): say so politely
    IGNORED = "ignored"  # an event that needs no answer (unsubscribe, menu links, location reports…)


@dataclass(frozen=True)
class Inbound:
    """One push from WeChat, reduced to what the bot needs."""

    kind: Kind
    openid: str
    dedup_key: str  # ChannelInbox key: "msg:<MsgId>" or "ev:<hash of FromUserName, CreateTime, Event>"
    wechat_type: str  # MsgType, or the Event for events (safe to log)
    text: str = ""
    latitude: float | None = None
    longitude: float | None = None
    media_id: str = ""
    pic_url: str = ""
    event_key: str = ""

    @property
    def conversation_id(self) -> str:
        """Rasa's sender id for this customer."""
        return conversation_id(self.openid)


def conversation_id(openid: str) -> str:
    """Rasa's sender id for a WeChat user: "wx:<openid>"."""
    return f"{CONVERSATION_PREFIX}{openid}"


def openid_of(conversation: str) -> str | None:
    """The openid inside a "wx:<openid>" conversation id, or None when it is not one of this channel's."""
    if not conversation.startswith(CONVERSATION_PREFIX):
        return None
    openid = conversation[len(CONVERSATION_PREFIX):]
    return openid if _OPENID.fullmatch(openid) else None


def parse_inbound(xml: str) -> Inbound:
    """Read a plaintext WeChat push; `MalformedMessage` when it is not one."""
    if "<!DOCTYPE" in xml or "<!ENTITY" in xml:
        raise MalformedMessage("document type declarations are not accepted")  # WeChat never sends them
    try:
        message: Any = parse_message(xml)
        if message is None:
            raise MalformedMessage("empty body")
        return _reduce(message)
    except (ExpatError, KeyError, TypeError, AttributeError, ValueError) as exc:
        raise MalformedMessage(f"not a WeChat message ({type(exc).__name__})") from None


def _reduce(message: Any) -> Inbound:
    openid = _text(message.source)
    if not _OPENID.fullmatch(openid):
        raise MalformedMessage("FromUserName is missing or malformed")
    # The raw MsgType: wechatpy reads unknown kinds (and unknown events) as `UnknownMessage` of type "unknown".
    msg_type = _kind_name(message._data.get("MsgType"))
    if msg_type == "event":
        return _event(message, openid)
    key = _message_key(message, openid, msg_type)
    if msg_type == "text":
        text = _text(message.content).strip()[:MAX_TEXT_CHARS]
        return Inbound(Kind.TEXT if text else Kind.IGNORED, openid, key, msg_type, text=text)
    if msg_type == "location":
        latitude, longitude = _coordinate(message.location_x, 90.0), _coordinate(message.location_y, 180.0)
        label = _text(message.label).strip()[:MAX_TEXT_CHARS] or "📍"
        return Inbound(Kind.LOCATION, openid, key, msg_type, text=label, latitude=latitude, longitude=longitude)
    if msg_type == "image":
        media_id, pic_url = _text(message.media_id).strip(), _text(message.image).strip()
        if not media_id and not pic_url:
            raise MalformedMessage("an image message without MediaId or PicUrl")
        return Inbound(Kind.IMAGE, openid, key, msg_type, media_id=media_id, pic_url=pic_url)
    if msg_type == "voice":
        # With speech recognition switched on for the account, WeChat sends the transcript along.
        transcript = _text(message.recognition).strip()[:MAX_TEXT_CHARS]
        if transcript:
            return Inbound(Kind.TEXT, openid, key, msg_type, text=transcript)
    return Inbound(Kind.UNSUPPORTED, openid, key, msg_type)


def _event(message: Any, openid: str) -> Inbound:
    event = _kind_name(message._data.get("Event"))
    created = message.time
    if not isinstance(created, int) or created <= 0:
        raise MalformedMessage("an event without CreateTime")
    digest = hashlib.sha256(f"{openid}|{created}|{event}".encode()).hexdigest()[:48]
    key = f"ev:{digest}"  # hashed: the inbox table need not hold openids
    if event in _GREETING_EVENTS:
        return Inbound(Kind.SUBSCRIBE, openid, key, event)
    if event == "click":
        return Inbound(Kind.CLICK, openid, key, event, event_key=_text(message.key).strip()[:128])
    return Inbound(Kind.IGNORED, openid, key, event)


def _message_key(message: Any, openid: str, msg_type: str) -> str:
    msg_id = message.id  # IntegerField: 0 when absent, ValueError when not a number
    if isinstance(msg_id, int) and msg_id > 0:
        return f"msg:{msg_id}"
    created = message.time
    if not isinstance(created, int) or created <= 0:
        raise MalformedMessage("a message without MsgId or CreateTime")
    return "msg:" + hashlib.sha256(f"{openid}|{created}|{msg_type}".encode()).hexdigest()[:48]


def _coordinate(value: Any, bound: float) -> float:
    number = float(_text(value))
    if not math.isfinite(number) or abs(number) > bound:
        raise MalformedMessage("coordinates out of range")
    return number


def _kind_name(value: Any) -> str:
    """MsgType or Event, lower case; anything that is not a plain word becomes "other" (it is logged)."""
    name = _text(value).strip().lower()
    return name if _KIND_NAME.fullmatch(name) else "other"


def _text(value: Any) -> str:
    """A field's text; nested elements (a dict from xmltodict) are not text."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise MalformedMessage("a field holds markup instead of text")
    return value

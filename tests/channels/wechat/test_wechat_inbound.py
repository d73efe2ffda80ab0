"""Reading WeChat pushes (XML as WeChat sends it) into what the bot needs, and refusing what is not a push."""

from __future__ import annotations

import pytest

from integrations.wechat.errors import MalformedMessage
from integrations.wechat.inbound import Kind, conversation_id, openid_of, parse_inbound
from tests.fakes.wechat import event_xml, image_xml, location_xml, text_xml, voice_xml

OPENID = "oAbC-123_xyz"


def test_text() -> None:
    inbound = parse_inbound(text_xml(OPENID, "  我的空调不制冷 <E1> & 漏水  ", 6054768590064713728))
    assert (inbound.kind, inbound.openid, inbound.text) == (Kind.TEXT, OPENID, "我的空调不制冷 <E1> & 漏水")
    assert inbound.dedup_key == "msg:6054768590064713728"
    assert inbound.conversation_id == f"wx:{OPENID}"


def test_long_text_is_cut() -> None:
    assert len(parse_inbound(text_xml(OPENID, "字" * 5000, 1)).text) == 2000


def test_blank_text_is_ignored() -> None:
    assert parse_inbound(text_xml(OPENID, "   ", 1)).kind is Kind.IGNORED


def test_location_latitude_is_location_x() -> None:
    inbound = parse_inbound(location_xml(OPENID, 39.983424, 116.322987, "北京市海淀区中关村大街27号", 7))
    assert inbound.kind is Kind.LOCATION
    assert (inbound.latitude, inbound.longitude) == (39.983424, 116.322987)
    assert inbound.text == "北京市海淀区中关村大街27号"
    assert parse_inbound(location_xml(OPENID, 31.2, 121.5, "", 8)).text == "📍"  # the text is never empty


@pytest.mark.parametrize(("lat", "lon"), [(91.0, 0.0), (0.0, -180.5), (float("nan"), 0.0), (0.0, float("inf"))])
def test_location_out_of_range(lat: float, lon: float) -> None:
    with pytest.raises(MalformedMessage):
        parse_inbound(location_xml(OPENID, lat, lon, "x", 9))


def test_image() -> None:
    inbound = parse_inbound(image_xml(OPENID, 10, media_id="MEDIA-1", pic_url="https://mmbiz.qpic.cn/x"))
    assert (inbound.kind, inbound.media_id, inbound.pic_url) == (Kind.IMAGE, "MEDIA-1", "https://mmbiz.qpic.cn/x")
    with pytest.raises(MalformedMessage):
        parse_inbound(image_xml(OPENID, 11, media_id="", pic_url=""))


def test_voice_with_a_transcript_is_text_and_without_is_unsupported() -> None:
    heard = parse_inbound(voice_xml(OPENID, 12, recognition="我要报修"))
    assert (heard.kind, heard.text, heard.wechat_type) == (Kind.TEXT, "我要报修", "voice")
    assert parse_inbound(voice_xml(OPENID, 13)).kind is Kind.UNSUPPORTED


@pytest.mark.parametrize("msg_type", ["video", "shortvideo", "link", "file", "miniprogrampage"])
def test_other_message_kinds_are_unsupported(msg_type: str) -> None:
    xml = text_xml(OPENID, "x", 14).replace("<![CDATA[text]]>", f"<![CDATA[{msg_type}]]>")
    inbound = parse_inbound(xml)
    assert (inbound.kind, inbound.wechat_type, inbound.dedup_key) == (Kind.UNSUPPORTED, msg_type, "msg:14")


def test_subscribe_events_greet() -> None:
    assert parse_inbound(event_xml(OPENID, "subscribe")).kind is Kind.SUBSCRIBE
    scanned = parse_inbound(event_xml(OPENID, "subscribe", key="qrscene_123"))  # followed by scanning a QR code
    assert scanned.kind is Kind.SUBSCRIBE


def test_menu_click_carries_the_event_key() -> None:
    inbound = parse_inbound(event_xml(OPENID, "CLICK", key="REPORT_FAULT"))
    assert (inbound.kind, inbound.event_key, inbound.wechat_type) == (Kind.CLICK, "REPORT_FAULT", "click")


@pytest.mark.parametrize("event", ["unsubscribe", "VIEW", "LOCATION", "SCAN", "TEMPLATESENDJOBFINISH", "brand_new"])
def test_other_events_need_no_answer(event: str) -> None:
    assert parse_inbound(event_xml(OPENID, event, key="k")).kind is Kind.IGNORED


def test_event_keys_identify_a_retry_but_not_another_event() -> None:
    first = parse_inbound(event_xml(OPENID, "subscribe", created=1_700_000_000))
    retry = parse_inbound(event_xml(OPENID, "subscribe", created=1_700_000_000))
    later = parse_inbound(event_xml(OPENID, "subscribe", created=1_700_000_001))
    other_user = parse_inbound(event_xml("oSomeoneElse", "subscribe", created=1_700_000_000))
    click = parse_inbound(event_xml(OPENID, "CLICK", key="HUMAN", created=1_700_000_000))
    assert first.dedup_key == retry.dedup_key
    assert len({first.dedup_key, later.dedup_key, other_user.dedup_key, click.dedup_key}) == 4
    assert OPENID not in first.dedup_key and len(first.dedup_key) <= 128  # the inbox table holds no openids


def test_a_message_without_msgid_falls_back_to_sender_and_time() -> None:
    xml = text_xml(OPENID, "hi", 1, created=1_700_000_000).replace("<MsgId>1</MsgId>", "")
    assert parse_inbound(xml).dedup_key == parse_inbound(xml).dedup_key
    assert parse_inbound(xml).dedup_key.startswith("msg:") and OPENID not in parse_inbound(xml).dedup_key


def test_odd_type_names_are_not_logged_verbatim() -> None:
    xml = text_xml(OPENID, "x", 15).replace("<![CDATA[text]]>", "<![CDATA[evil\nline]]>")
    assert parse_inbound(xml).wechat_type == "other"


@pytest.mark.parametrize(
    "xml",
    [
        "",
        "not xml at all",
        "<xml><FromUserName>oA</FromUserName>",  # truncated
        "<xml></xml>",
        "<other><MsgType>text</MsgType></other>",
        "<xml><FromUserName>oA</FromUserName><CreateTime>1</CreateTime><MsgId>1</MsgId></xml>",  # no MsgType
        "<xml><FromUserName>oA</FromUserName><MsgType><a>text</a></MsgType></xml>",
        "<xml><FromUserName><a>oA</a></FromUserName><MsgType>text</MsgType><MsgId>1</MsgId></xml>",
        "<xml><FromUserName>oA</FromUserName><MsgType>text</MsgType><Content><b>x</b></Content><MsgId>1</MsgId></xml>",
        "<xml><FromUserName>oA</FromUserName><MsgType>text</MsgType><Content>x</Content><MsgId>x</MsgId></xml>",
        "<xml><ToUserName>gh</ToUserName><MsgType>text</MsgType><Content>x</Content><MsgId>1</MsgId></xml>",
        "<xml><FromUserName>o A</FromUserName><MsgType>text</MsgType><Content>x</Content><MsgId>1</MsgId></xml>",
        "<xml><FromUserName>oA</FromUserName><MsgType>event</MsgType><Event>subscribe</Event></xml>",  # no time
        "<xml><FromUserName>oA</FromUserName><MsgType>location</MsgType><Location_X>north</Location_X>"
        "<Location_Y>1</Location_Y><MsgId>1</MsgId></xml>",
        '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY lol "lol">]><xml><FromUserName>&lol;</FromUserName></xml>',
        '<!DOCTYPE xml SYSTEM "file:///etc/passwd"><xml/>',
    ],
)
def test_malformed_pushes_are_refused(xml: str) -> None:
    with pytest.raises(MalformedMessage):
        parse_inbound(xml)


def test_conversation_ids() -> None:
    assert conversation_id(OPENID) == f"wx:{OPENID}"
    assert openid_of(f"wx:{OPENID}") == OPENID
    assert openid_of(f"tg:{OPENID}") is None
    assert openid_of("wx:../../etc") is None
    assert openid_of("wx:") is None

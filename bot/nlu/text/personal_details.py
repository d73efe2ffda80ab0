"""Street addresses and personal names in customer text: where they are, for the masking (`bot.nlu.text.masking`).

The finders read the match form of the text (`bot.nlu.extraction.patterns.match_text`: simplified, half-width,
lowercase, same length) and, where capitals tell, the text as typed; the rules are in the masking's module
docstring. Each returns the `Extent`s it found, in the order found; overlaps are the masking's to settle.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Extent(NamedTuple):
    """[start, end) of a find in the text."""

    start: int
    end: int


_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# --- Chinese addresses ------------------------------------------------------------------------------------------
_CN_NUM = r"[0-9一二三四五六七八九十百千零〇两]+"
_UNIT = r"(?:号楼|号院|栋|幢|座|单元|层|楼|室|房|号|户|门|期|院|弄|巷)"
_CHAIN = rf"(?:\s*(?:[a-z]?{_CN_NUM}[a-z]?|[a-z])\s*{_UNIT}|\s*\d{{1,4}}(?:-\d{{1,4}}){{1,3}})"
_ROOM = r"(?:\s*\d{2,5}(?![\d]))?"
_ZH_STREET = re.compile(
    rf"(?P<suffix>路|街|道|巷|弄|胡同)\s*(?:{_CN_NUM}\s*段\s*)?{_CN_NUM}\s*(?:号|弄|巷|号院){_CHAIN}*{_ROOM}"
)
_BARE_ROOM = r"\s*\d{2,5}(?![\d年月日元块号])"
_ZH_ESTATE = re.compile(
    rf"(?P<suffix>小区|花园|大厦|公寓|家园|新村|苑)\s*(?:{_CN_NUM}\s*期)?(?:{_CHAIN}+{_ROOM}|{_BARE_ROOM})"
)
_ZH_BUILDING = re.compile(
    r"(?<![\d\-])(?:\d{1,4}\s*(?:号楼|栋|幢|座)\s*(?:\d{1,3}\s*单元\s*)?\d{1,5}\s*(?:室|房|号|户)?"
    r"|\d{1,3}\s*单元\s*\d{1,5}\s*(?:室|房|号|户)?|\d{2,5}\s*(?:室|房))(?![\d])"
)
#: Where a street or estate name starts: after an administrative unit (kept) or a word that is not a name.
_ADMIN = set("省市区县镇乡旗州")
_NOT_IN_PLACE_NAME = set("在住是到于址的往近从寄送我你他她家：:，,。 、上门地号")
_NOT_STREETS = frozenset(
    "知道 难道 味道 频道 管道 渠道 轨道 说道 问道 顺道 报道 一道 车道 走道 隧道 街道 电路 线路 网路 回路 油路 气路 "
    "思路 出路 走路 一路 上路 逛街 上街".split()
)
_VERB_BEFORE_NONG = set("把给帮它你我他她要别会能没不好坏来去再又")
MAX_PLACE_NAME = 10

# --- English addresses ------------------------------------------------------------------------------------------
_EN_STREET_TYPES = (
    "street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|way|court|ct|place|pl|terrace|close|crescent|"
    "square|sq|highway|hwy|parkway|pkwy|mews|grove"
)
_EN_STREET = re.compile(
    rf"(?<![a-z0-9\-])\d{{1,5}}[a-z]?(?:\s*-\s*\d{{1,5}}[a-z]?)?,?\s+"
    rf"(?P<name>(?:(?:[a-z][a-z'.\-]*|\d{{1,3}}(?:st|nd|rd|th))\s+){{1,3}})(?P<type>{_EN_STREET_TYPES})\.?(?![a-z])"
)
_NOT_STREET_WORDS = frozenset(
    "the a an on in at to of for from by with and or my your his her their our its is was are were be been it this "
    "that these those hours hour hrs days day weeks week months month years year times time minutes mins min "
    "seconds secs units unit people more than just only over about down up off out back away all every very so too "
    "quite really feet foot inch inches cm mm meters metres kg lbs pounds dollars items pieces phones calls emails "
    "tickets orders new old same other".split()
)
_DRIVE_NOT_STREET = frozenset(
    "hard usb flash disk disc external ssd hdd optical dvd cd thumb pen network tb gb".split()
)
_EN_UNIT = re.compile(
    r"(?<![a-z])(?P<word>flat|apt|apartment|suite|ste|p\.?\s*o\.?\s*box)\.?\s*#?\s*(?P<num>\d{1,5}[a-z]?)(?![a-z0-9])"
)
_UK_POSTCODE = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s?\d[A-Z]{2}(?![A-Za-z0-9])")
_AFTER_STREET = re.compile(
    r"(?:[\s,]+[a-z][a-z.'\-]*){0,4}?[\s,]+(?P<code>[a-z]{1,2}\d[a-z\d]?\s?\d[a-z]{2}|\d{5}(?:-\d{4})?)(?![a-z0-9])"
)

# --- names --------------------------------------------------------------------------------------------------------
_SURNAMES_2 = frozenset(
    "欧阳 司马 上官 诸葛 东方 慕容 皇甫 尉迟 公孙 令狐 长孙 宇文 司徒 夏侯 轩辕 端木 南宫 西门 独孤 申屠".split()
)
_SURNAMES_1 = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆"
    "汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍"
    "庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华"
    "喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和"
    "仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_ZH_NAME_STOP = set(
    "想要在的是请了啊呀吧呢嘛哦喔电手住家来去买打问说和跟给今昨刚这那有没不也都就已现我你他她它们先女，,。！!？?：:、 "
)
_TITLE_STOP = _ZH_NAME_STOP | set("位个老好与叫找谢您各男小大")
_ZH_NAME_CUE = re.compile(r"(?:我叫|我姓|本人姓|联系人|姓名|收件人|收货人)\s*(?:[:：]|是|为)?\s*")
_ZH_TITLE = re.compile(r"(?:先生|女士|小姐)(?!姐)")
_EN_NAME_CUE = re.compile(
    r"(?<![a-z])(?:(?P<intro>my\s+name\s+is|my\s+name's|my\s+name\s*[:：])|(?:full\s+|contact\s+)?name\s*[:：=]"
    r"|(?P<title>mrs|mr|ms)(?![a-z])(?P<dot>\.)?)\s*"
)
#: "this is X" introduces a name at the start of a clause or after a greeting ("Hi, this is Sarah").
_THIS_IS = re.compile(
    r"(?:^|(?<=[,.!?;:]\s)|(?<=[,.!?;:])|(?<=\bhi\s)|(?<=\bhello\s)|(?<=\bhey\s)|(?<=\bdear\s))this\s+is\s+"
)
_LATIN_WORD = re.compile(r"[a-z][a-z'\-]{0,29}(?![a-z])")
_AFTER_INTRODUCED_NAME = re.compile(r"\s*(?:[,.!?;:)\-]|$|(?:from|here|speaking|again|calling|writing|and)(?![a-z]))")
_NOT_NAMES = frozenset(
    "and i im i'm my from the a an but here calling with phone number email mail is was at in on to for of or not so "
    "please pls plz thanks thank you your we our it its this that speaking again writing also who order account "
    "customer ridiculous unacceptable terrible awful horrible insane crazy absurd annoying frustrating disgusting "
    "outrageous pathetic useless rubbish garbage great amazing fine ok okay urgent important serious wrong bad good "
    "broken very really why what how getting going taking still just now day week month year madness nonsense "
    "unbelievable joke crap bullshit hell why when where which there their they them office teams word excel windows "
    "apple samsung huawei xiaomi redmi lenovo thinkpad dell hp sony lg haier midea gree bosch philips oppo vivo honor "
    "tcl hisense whirlpool dyson panasonic siemens asus acer microsoft google pixel amazon iphone ipad galaxy".split()
)


def _place_start(t: str, suffix_start: int) -> int | None:
    """Where the place name ending at `suffix_start` begins (None: no name, so not an address)."""
    start = suffix_start
    while start > 0 and suffix_start - start < MAX_PLACE_NAME:
        char = t[start - 1]
        if char in _ADMIN or char in _NOT_IN_PLACE_NAME or not re.match(f"[{_HAN}a-z]", char):
            break
        start -= 1
    return start if start < suffix_start else None


def zh_addresses(t: str) -> list[Extent]:
    """Chinese street addresses, estates with building numbers and bare building/unit/room runs in match text `t`."""
    spans: list[Extent] = []
    for match in _ZH_STREET.finditer(t):
        suffix = match.start("suffix")
        start = _place_start(t, suffix)
        if start is None or t[suffix - 1 : match.end("suffix")] in _NOT_STREETS:
            continue
        if match.group("suffix") == "弄" and (suffix - start < 2 or t[suffix - 1] in _VERB_BEFORE_NONG):
            continue
        spans.append(Extent(start, match.end()))
    for match in _ZH_ESTATE.finditer(t):
        start = _place_start(t, match.start("suffix"))
        if start is not None:
            spans.append(Extent(start, match.end()))
    spans.extend(Extent(m.start(), m.end()) for m in _ZH_BUILDING.finditer(t))
    return spans


def en_addresses(t: str, original: str) -> list[Extent]:
    """English street addresses, flats and suites, and postcodes in match text `t` (`original`: as typed)."""
    spans: list[Extent] = []
    for match in _EN_STREET.finditer(t):
        words = match.group("name").split()
        if any(word.strip(".'-") in _NOT_STREET_WORDS for word in words):
            continue
        if match.group("type") in ("drive", "dr") and words[-1] in _DRIVE_NOT_STREET:
            continue
        spans.append(Extent(match.start(), match.end()))
    for match in _EN_UNIT.finditer(t):
        if match.group("word") == "flat":
            # "the battery went flat 2 days ago": a flat only when written as one (Flat 3) or listed (flat 3, …).
            capitalised = original[match.start()].isupper()
            listed = t[match.end() : match.end() + 1] in (",", "")
            if not capitalised and not listed:
                continue
        spans.append(Extent(match.start(), match.end()))
    street_ends = [s.end for s in spans]
    for end in street_ends:
        after = _AFTER_STREET.match(t, end)
        if after is not None and after.end() - end <= 48:
            spans.append(Extent(after.start("code"), after.end("code")))
    spans.extend(Extent(m.start(), m.end()) for m in _UK_POSTCODE.finditer(original))
    return spans


def _han_name_end(t: str, start: int, longest: int) -> int | None:
    end = start
    while end < len(t) and end - start < longest and re.match(f"[{_HAN}]", t[end]) and t[end] not in _ZH_NAME_STOP:
        end += 1
    return end if end > start else None


def _latin_name_end(t: str, original: str, start: int, words: int, titled: bool) -> int | None:
    end, taken, position = None, 0, start
    while taken < words:
        match = _LATIN_WORD.match(t, position)
        if match is None or match.group().strip("'-") in _NOT_NAMES:
            break
        word = original[match.start() : match.end()]
        if titled and not (len(word) > 1 and word[0].isupper() and word[1:].islower()):
            break
        end, taken = match.end(), taken + 1
        space = re.match(r" (?=[a-z])", t[end : end + 2])
        if space is None:
            break
        position = end + 1
    return end


def zh_names(t: str, original: str) -> list[Extent]:
    """Personal names introduced in Chinese (我叫X, 联系人X, X先生) in match text `t` (`original`: as typed)."""
    spans: list[Extent] = []
    for cue in _ZH_NAME_CUE.finditer(t):
        longest = 2 if cue.group().startswith(("我姓", "本人姓")) else 3
        end = _han_name_end(t, cue.end(), longest) or _latin_name_end(t, original, cue.end(), 2, False)
        if end is not None:
            spans.append(Extent(cue.end(), end))
    for title in _ZH_TITLE.finditer(t):
        end = title.start()
        before = t[max(0, end - 3) : end]
        chosen = None
        for length in (3, 2, 1):
            candidate = before[-length:] if len(before) >= length else ""
            if not candidate or not re.fullmatch(f"[{_HAN}]+", candidate) or set(candidate) & _TITLE_STOP:
                continue
            if candidate[:2] in _SURNAMES_2 or candidate[0] in _SURNAMES_1:
                chosen = length
                break
        if chosen is None and before and re.match(f"[{_HAN}]", before[-1]) and before[-1] not in _TITLE_STOP:
            chosen = 1
        if chosen is not None:
            spans.append(Extent(end - chosen, end))
    return spans


def en_names(t: str, original: str) -> list[Extent]:
    """Personal names introduced in English ("my name is X", "Mr X", "this is X") in match text `t`."""
    spans: list[Extent] = []
    for cue in _EN_NAME_CUE.finditer(t):
        start = cue.end()
        if start < len(t) and re.match(f"[{_HAN}]", t[start]):
            end = _han_name_end(t, start, 3)
        elif cue.group("title"):
            titled = cue.group("title") == "ms" and cue.group("dot") is None  # "MS Office" is no person
            end = _latin_name_end(t, original, start, 1, titled)
            if titled and end is not None and end < len(t) and t[end] == "'":
                end = None
        else:
            end = _latin_name_end(t, original, start, 3, False)
        if end is not None:
            spans.append(Extent(start, end))
    for cue in _THIS_IS.finditer(t):
        end = _latin_name_end(t, original, cue.end(), 2, True)
        if end is not None and _AFTER_INTRODUCED_NAME.match(t, end):
            spans.append(Extent(cue.end(), end))
    return spans

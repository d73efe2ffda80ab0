"""Brands customers name that our demo network does not service: recognised so that a person can take over.

Hand-written: well-known electronics and appliance brands, their Chinese and English names, what customers call
them (product lines, other spellings) and a few support handles (without "@"). A name that is also an everyday
word ("Brother", "兄弟", "Sharp") is listed here all the same: the NLU leaves such words out of plain-text
matching (`bot.nlu.lexicon.brand_mentions.EVERYDAY_WORDS`) and still reads them inside @handles.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OtherBrandSpec:
    """A brand we know but do not service; `name_en` is what the bot says ("we don't service Bosch here")."""

    code: str
    name_zh: str
    name_en: str
    aliases: tuple[str, ...] = ()
    handles: tuple[str, ...] = ()


_O = OtherBrandSpec

OTHER_BRANDS: tuple[OtherBrandSpec, ...] = (
    # Phones, computers, consoles and wearables.
    _O("microsoft", "微软", "Microsoft", ("Xbox", "Surface Pro", "Surface Laptop", "Surface Go", "Surface Book"),
       ("XboxSupport", "MicrosoftHelps", "SurfaceSupport")),
    _O("google", "谷歌", "Google", ("Google Pixel", "Pixel phone", "Pixel Buds", "Nest Hub", "Chromecast"),
       ("MadeByGoogle", "GooglePixel")),
    _O("oneplus", "一加", "OnePlus", ("一加手机", "一加平板", "OnePlus Nord"), ("OnePlus_Support", "OnePlus_IN")),
    _O("motorola", "摩托罗拉", "Motorola", ("Moto", "Moto G", "Razr"), ("Moto_Support", "MotorolaUS")),
    _O("nokia", "诺基亚", "Nokia", (), ("NokiaMobile",)),
    _O("realme", "真我", "realme", (), ("realmeIndia", "realmeGlobal")),
    _O("meizu", "魅族", "Meizu"),
    _O("zte", "中兴", "ZTE", ("中兴通讯",), ("ZTEUSA", "ZTE_Support")),
    _O("nubia", "努比亚", "nubia", ("Red Magic",)),
    _O("coolpad", "酷派", "Coolpad"),
    _O("gionee", "金立", "Gionee"),
    _O("kejian", "科健", "Kejian"),
    _O("alcatel", "阿尔卡特", "Alcatel"),
    _O("blackberry", "黑莓", "BlackBerry"),
    _O("tecno", "传音", "TECNO", ("Infinix", "itel", "Transsion"), ("TECNOMobile",)),
    _O("asus", "华硕", "ASUS", ("ROG", "玩家国度", "ZenBook", "VivoBook"), ("ASUSUSA", "ASUS_ROG")),
    _O("acer", "宏碁", "Acer", ("宏基", "Predator", "Aspire"), ("AcerAmerica",)),
    _O("msi", "微星", "MSI", ("MSI Gaming",), ("msiUSA",)),
    _O("razer", "雷蛇", "Razer", (), ("RazerSupport",)),
    _O("nintendo", "任天堂", "Nintendo", ("Nintendo Switch",), ("NintendoAmerica", "NintendoUK")),
    _O("fitbit", "Fitbit", "Fitbit", (), ("FitbitSupport",)),
    _O("garmin", "佳明", "Garmin"),
    # Audio, imaging and printers.
    _O("beats", "Beats", "Beats", ("Beats by Dre", "Powerbeats", "Beats Studio", "Beats Solo"), ("BeatsSupport",)),
    _O("bose", "Bose", "Bose", ("Bose音响",), ("BoseService",)),
    _O("jbl", "JBL", "JBL"),
    _O("canon", "佳能", "Canon", (), ("CanonUSA", "CanonUKandIE")),
    _O("epson", "爱普生", "Epson", (), ("EpsonAmerica", "EpsonUK")),
    _O("brother", "兄弟", "Brother", ("Brother printer", "兄弟打印机", "兄弟牌"), ("BrotherUK", "BrotherUSA")),
    # Televisions and consumer electronics.
    _O("panasonic", "松下", "Panasonic", ("松下电器", "Lumix"), ("PanasonicUSA", "Panasonic_UK")),
    _O("philips", "飞利浦", "Philips", (), ("PhilipsSupport",)),
    _O("sharp", "夏普", "Sharp", ("Sharp Aquos", "AQUOS"), ("SharpUSA",)),
    _O("toshiba", "东芝", "Toshiba", ("Dynabook",), ("ToshibaUSA",)),
    _O("hitachi", "日立", "Hitachi"),
    _O("mitsubishi", "三菱", "Mitsubishi", ("三菱电机", "Mitsubishi Electric")),
    _O("vizio", "VIZIO", "VIZIO", (), ("VIZIOsupport",)),
    _O("konka", "康佳", "Konka"),
    _O("changhong", "长虹", "Changhong", ("CHiQ",)),
    # Home appliances.
    _O("whirlpool", "惠而浦", "Whirlpool", (), ("WhirlpoolCorp", "WhirlpoolUSA")),
    _O("kenmore", "肯摩尔", "Kenmore"),
    _O("frigidaire", "富及第", "Frigidaire"),
    _O("maytag", "美泰克", "Maytag"),
    _O("ge_appliances", "GE家电", "GE Appliances", ("GE Appliance", "通用电气家电"), ("GE_Appliances",)),
    _O("bosch", "博世", "Bosch", (), ("BoschHomeUK",)),
    _O("siemens", "西门子", "Siemens", (), ("SiemensHome",)),
    _O("electrolux", "伊莱克斯", "Electrolux"),
    _O("miele", "美诺", "Miele"),
    _O("beko", "倍科", "Beko"),
    _O("dyson", "戴森", "Dyson", (), ("DysonUK",)),
    _O("blackdecker", "百得", "Black+Decker", ("Black & Decker", "Black and Decker"), ("BlackandDecker",)),
    _O("daikin", "大金", "Daikin"),
    _O("aux", "奥克斯", "AUX"),
    _O("chigo", "志高", "Chigo"),
    _O("galanz", "格兰仕", "Galanz"),
    _O("meiling", "美菱", "Meiling"),
    _O("vatti", "华帝", "Vatti"),
    _O("fotile", "方太", "Fotile", ("方太油烟机", "方太燃气灶", "方太热水器", "方太洗碗机", "方太电器")),
    _O("robam", "老板电器", "Robam"),
    _O("wanhe", "万和", "Wanhe", ("Vanward",)),
    _O("macro", "万家乐", "Macro"),
    _O("rinnai", "林内", "Rinnai"),
    _O("noritz", "能率", "Noritz"),
    _O("aosmith", "A.O.史密斯", "A. O. Smith", ("AO Smith", "A.O. Smith", "史密斯热水器")),
    _O("joyoung", "九阳", "Joyoung"),
    _O("supor", "苏泊尔", "Supor"),
)

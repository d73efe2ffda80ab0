"""Our hand-written catalogue: brands, the categories they make, and their product models."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.catalogue import ProductCategory as C


@dataclass(frozen=True)
class BrandSpec:
    """A brand as we write it by hand; `markets` None means every country we operate in."""

    code: str
    name_zh: str
    name_en: str
    home_country: str
    prefix: str  # part-number prefix, unique per brand
    aliases: tuple[str, ...]
    categories: tuple[C, ...]
    share: float  # relative weight when outlets pick brands (rough market presence)
    markets: frozenset[str] | None = None
    excluded: frozenset[str] = frozenset()
    handles: tuple[str, ...] = ()  # social-media support accounts, without "@"


_NOT_US = frozenset({"US"})

BRANDS: tuple[BrandSpec, ...] = (
    BrandSpec("huawei", "华为", "Huawei", "CN", "HW", ("HUAWEI", "华为手机", "鸿蒙", "HarmonyOS"),
              (C.PHONE, C.LAPTOP, C.TABLET, C.TV), 3.0, excluded=_NOT_US,
              handles=("HuaweiMobile", "HuaweiSupport", "HuaweiCare")),
    BrandSpec("xiaomi", "小米", "Xiaomi", "CN", "MI", ("Mi", "Redmi", "红米", "米家", "MIJIA"),
              (C.PHONE, C.LAPTOP, C.TABLET, C.TV, C.AIR_CONDITIONER, C.REFRIGERATOR, C.WASHING_MACHINE,
               C.WATER_HEATER), 3.0, excluded=_NOT_US,
              handles=("XiaomiGlobal", "XiaomiSupport", "XiaomiIndia")),
    BrandSpec("oppo", "OPPO", "OPPO", "CN", "OP", ("欧珀", "oppo手机"), (C.PHONE, C.TABLET), 2.0,
              excluded=_NOT_US,
              handles=("OPPOSupport", "oppomobile")),
    BrandSpec("vivo", "vivo", "vivo", "CN", "VV", ("维沃", "iQOO"), (C.PHONE, C.TABLET), 2.0, excluded=_NOT_US,
              handles=("vivo_Support", "vivoGlobal")),
    BrandSpec("honor", "荣耀", "Honor", "CN", "HN", ("HONOR", "荣耀手机"), (C.PHONE, C.LAPTOP, C.TABLET), 1.5,
              excluded=_NOT_US,
              handles=("HonorSupport", "HonorGlobal")),
    BrandSpec("lenovo", "联想", "Lenovo", "CN", "LN", ("ThinkPad", "ThinkBook", "拯救者", "Legion", "小新"),
              (C.LAPTOP, C.DESKTOP, C.TABLET, C.SERVER), 2.5,
              handles=("LenovoSupport", "Lenovo_in", "ThinkPadSupport")),
    BrandSpec("haier", "海尔", "Haier", "CN", "HR", ("卡萨帝", "Casarte", "统帅", "Leader"),
              (C.AIR_CONDITIONER, C.REFRIGERATOR, C.WASHING_MACHINE, C.WATER_HEATER, C.TV), 3.0,
              handles=("HaierSupport", "HaierAppliances")),
    BrandSpec("midea", "美的", "Midea", "CN", "MD", ("小天鹅", "Little Swan", "华凌", "COLMO"),
              (C.AIR_CONDITIONER, C.REFRIGERATOR, C.WASHING_MACHINE, C.WATER_HEATER), 3.0,
              handles=("MideaSupport", "MideaGlobal")),
    BrandSpec("gree", "格力", "Gree", "CN", "GR", ("GREE", "格力电器", "TOSOT", "大松"),
              (C.AIR_CONDITIONER, C.WATER_HEATER), 2.5,
              handles=("GreeSupport", "GreeComfort")),
    BrandSpec("hisense", "海信", "Hisense", "CN", "HS", ("VIDAA", "科龙", "Kelon", "容声", "Ronshen"),
              (C.TV, C.AIR_CONDITIONER, C.REFRIGERATOR), 2.0,
              handles=("HisenseSupport", "HisenseUSA")),
    BrandSpec("tcl", "TCL", "TCL", "CN", "TC", ("雷鸟", "FFALCON", "tcl电视"),
              (C.TV, C.AIR_CONDITIONER, C.WASHING_MACHINE), 2.0,
              handles=("TCLSupport", "TCL_USA")),
    BrandSpec("skyworth", "创维", "Skyworth", "CN", "SK", ("酷开", "Coocaa"), (C.TV, C.REFRIGERATOR), 1.2,
              handles=("SkyworthSupport",)),
    BrandSpec("apple", "苹果", "Apple", "US", "AP", ("iPhone", "iPad", "MacBook", "Mac", "苹果手机"),
              (C.PHONE, C.LAPTOP, C.DESKTOP, C.TABLET), 3.0,
              handles=("AppleSupport",)),
    BrandSpec("samsung", "三星", "Samsung", "KR", "SS", ("Galaxy", "SAMSUNG"),
              (C.PHONE, C.TABLET, C.TV, C.REFRIGERATOR, C.WASHING_MACHINE, C.AIR_CONDITIONER), 2.5,
              handles=("SamsungSupport", "SamsungUK", "SamsungUS", "SamsungIndia")),
    BrandSpec("dell", "戴尔", "Dell", "US", "DL", ("Alienware", "外星人", "XPS", "PowerEdge"),
              (C.LAPTOP, C.DESKTOP, C.SERVER), 1.5,
              handles=("DellCares", "DellSupport", "AlienwareSupport")),
    BrandSpec("hp", "惠普", "HP", "US", "HP", ("Hewlett-Packard", "OMEN", "暗影精灵", "惠普电脑"),
              (C.LAPTOP, C.DESKTOP), 1.5,
              handles=("HPSupport", "HP_UK")),
    BrandSpec("sony", "索尼", "Sony", "JP", "SN", ("SONY", "BRAVIA", "Xperia", "PlayStation"), (C.TV, C.PHONE), 1.0,
              handles=("AskPlayStation", "SonySupport", "SonyElectronics")),
    BrandSpec("lg", "LG", "LG", "KR", "LG", ("乐金", "LG电子", "LG Electronics"),
              (C.TV, C.REFRIGERATOR, C.WASHING_MACHINE, C.AIR_CONDITIONER), 1.5,
              handles=("LGSupport", "LGUS")),
    BrandSpec("inspur", "浪潮", "Inspur", "CN", "IS", ("浪潮信息", "INSPUR"), (C.SERVER,), 1.0,
              markets=frozenset({"CN", "MY", "TH", "VN", "ID", "SA", "AE", "RU", "KE", "EG", "PK"}),
              handles=("InspurGlobal",)),
    BrandSpec("sugon", "中科曙光", "Sugon", "CN", "SG", ("曙光", "SUGON"), (C.SERVER,), 0.8,
              markets=frozenset({"CN"}),
              handles=("SugonGlobal",)),
)

#: Model codes per brand × category, as printed on the nameplate or box.
MODELS: dict[tuple[str, C], tuple[str, ...]] = {
    ("huawei", C.PHONE): ("Mate 60 Pro", "Mate 60", "Pura 70 Ultra", "P60 Pro", "nova 12", "Mate X5"),
    ("huawei", C.LAPTOP): ("MateBook X Pro", "MateBook 14", "MateBook D 16"),
    ("huawei", C.TABLET): ("MatePad Pro 13.2", "MatePad 11.5", "MatePad SE"),
    ("huawei", C.TV): ("Vision S 65", "Vision V5 75", "Vision SE 55"),
    ("xiaomi", C.PHONE): ("Xiaomi 14", "Xiaomi 14 Ultra", "Redmi Note 13 Pro", "Redmi K70", "Redmi 13C"),
    ("xiaomi", C.LAPTOP): ("Xiaomi Book Pro 14", "RedmiBook 16"),
    ("xiaomi", C.TABLET): ("Xiaomi Pad 6", "Redmi Pad SE"),
    ("xiaomi", C.TV): ("L65M7-A2", "L75MA-S", "L55M5-5A"),
    ("xiaomi", C.AIR_CONDITIONER): ("KFR-35GW/N1A1", "KFR-50LW/N1A3", "KFR-26GW/V1A1"),
    ("xiaomi", C.REFRIGERATOR): ("BCD-540WMSA", "BCD-483WMFSA"),
    ("xiaomi", C.WASHING_MACHINE): ("XQG100MJ102W", "XHQG100MJ202"),
    ("xiaomi", C.WATER_HEATER): ("EWH60-MJ01", "JSQ25-MJ0816"),
    ("oppo", C.PHONE): ("Find X7 Ultra", "Find N3", "Reno 11 Pro", "A2 Pro", "K11x"),
    ("oppo", C.TABLET): ("OPPO Pad 2", "OPPO Pad Air"),
    ("vivo", C.PHONE): ("X100 Pro", "X Fold3", "S18", "Y36", "iQOO 12"),
    ("vivo", C.TABLET): ("vivo Pad 2", "vivo Pad Air"),
    ("honor", C.PHONE): ("Magic6 Pro", "Magic V2", "Honor 100", "X50", "Play 50"),
    ("honor", C.LAPTOP): ("MagicBook 14", "MagicBook X 16"),
    ("honor", C.TABLET): ("MagicPad 13", "Pad 9"),
    ("lenovo", C.LAPTOP): ("ThinkPad X1 Carbon Gen 11", "ThinkPad T14 Gen 4", "ThinkBook 14+", "Legion Y9000P",
                           "Yoga Pro 14s", "IdeaPad Slim 5"),
    ("lenovo", C.DESKTOP): ("ThinkCentre M90t", "Legion 7000K", "天逸510S"),
    ("lenovo", C.TABLET): ("Xiaoxin Pad Pro 12.7", "Tab P12"),
    ("lenovo", C.SERVER): ("ThinkSystem SR650 V3", "ThinkSystem SR630 V2", "ThinkSystem ST250 V2"),
    ("haier", C.AIR_CONDITIONER): ("KFR-35GW/81@U1-Jc", "KFR-72LW/03EDS81", "KFR-26GW/B5LAA81U1"),
    ("haier", C.REFRIGERATOR): ("BCD-520WGHSS5ED9U1", "BCD-470WGHTDEDG9", "BCD-216STPT"),
    ("haier", C.WASHING_MACHINE): ("EG100MATE2S", "XQG100-BD14126L", "EG80B08W"),
    ("haier", C.WATER_HEATER): ("EC6002-MC3", "EC8005-JT3U1", "JSQ25-13WN3S"),
    ("haier", C.TV): ("LU65X81", "LU55C51"),
    ("midea", C.AIR_CONDITIONER): ("KFR-35GW/N8XHA1", "KFR-51LW/N8MJA3", "KFR-26GW/N8VHC1"),
    ("midea", C.REFRIGERATOR): ("BCD-521WKPZM(E)", "BCD-606WKPZM(E)"),
    ("midea", C.WASHING_MACHINE): ("MG100V58WT", "MD100VT13DS5"),
    ("midea", C.WATER_HEATER): ("F6030-JA5(HE)", "F8033-VT7(HEY)", "JSQ30-TC5"),
    ("gree", C.AIR_CONDITIONER): ("KFR-35GW/NhZaB1W", "KFR-72LW/NhIbB1W", "KFR-50LW/NhIcB1W", "KFR-26GW/NhGc1B"),
    ("gree", C.WATER_HEATER): ("SXTD200LCJW/A", "GSXH-6010B"),
    ("hisense", C.TV): ("65E7K", "75U8K", "55A6K", "100L9"),
    ("hisense", C.AIR_CONDITIONER): ("KFR-35GW/E80A1", "KFR-72LW/A8X700Z-A1"),
    ("hisense", C.REFRIGERATOR): ("BCD-508WMK1DPUJ", "BCD-450WMK1DPJ"),
    ("tcl", C.TV): ("65Q10K", "75T7H", "55V8H", "98X11G"),
    ("tcl", C.AIR_CONDITIONER): ("KFR-35GW/RT2Ea+B1", "KFR-72LW/DBp-XQ11+B1"),
    ("tcl", C.WASHING_MACHINE): ("G100T7H-HDI", "B100F12"),
    ("skyworth", C.TV): ("65A23", "75A5D Pro", "55G33", "65Q53"),
    ("skyworth", C.REFRIGERATOR): ("BCD-508WKPS", "BCD-205T"),
    ("apple", C.PHONE): ("iPhone 15 Pro Max", "iPhone 15 Pro", "iPhone 15", "iPhone 14", "iPhone SE (3rd gen)"),
    ("apple", C.LAPTOP): ("MacBook Air 13 M3", "MacBook Pro 14 M3", "MacBook Pro 16 M3 Max"),
    ("apple", C.DESKTOP): ("iMac 24 M3", "Mac mini M2", "Mac Studio M2 Max"),
    ("apple", C.TABLET): ("iPad Pro 12.9 (6th gen)", "iPad Air 11 M2", "iPad (10th gen)", "iPad mini 6"),
    ("samsung", C.PHONE): ("Galaxy S24 Ultra", "Galaxy S24", "Galaxy Z Fold5", "Galaxy Z Flip5", "Galaxy A54 5G"),
    ("samsung", C.TABLET): ("Galaxy Tab S9", "Galaxy Tab A9+"),
    ("samsung", C.TV): ("QA65QN90C", "QA75Q80C", "UA55CU8000"),
    ("samsung", C.REFRIGERATOR): ("RF29BB8600QL", "RS62R5001M9"),
    ("samsung", C.WASHING_MACHINE): ("WW10T654DLH", "WD12BB944DGB"),
    ("samsung", C.AIR_CONDITIONER): ("AR12TYHYEWKN", "AR18BYFAMWK"),
    ("dell", C.LAPTOP): ("XPS 13 9340", "Latitude 7440", "Inspiron 14 5440", "Alienware m18 R2", "Precision 5680"),
    ("dell", C.DESKTOP): ("OptiPlex 7010", "Inspiron 3030", "XPS 8960"),
    ("dell", C.SERVER): ("PowerEdge R760", "PowerEdge R660", "PowerEdge T550"),
    ("hp", C.LAPTOP): ("EliteBook 840 G10", "ProBook 450 G10", "Pavilion Plus 14", "OMEN 16", "Spectre x360 14"),
    ("hp", C.DESKTOP): ("EliteDesk 800 G9", "ProDesk 400 G9", "Pavilion TP01"),
    ("sony", C.TV): ("XR-65A95L", "XR-75X90L", "KD-55X85L"),
    ("sony", C.PHONE): ("Xperia 1 V", "Xperia 5 V", "Xperia 10 V"),
    ("lg", C.TV): ("OLED65C3PCA", "OLED77G3PCA", "75QNED86SRA"),
    ("lg", C.REFRIGERATOR): ("GR-B266FLGL", "GS-B6473PZ"),
    ("lg", C.WASHING_MACHINE): ("FY10WX4", "FG10TV3"),
    ("lg", C.AIR_CONDITIONER): ("S-Q12JA3SE", "S4-Q18KL3AD"),
    ("inspur", C.SERVER): ("NF5280M6", "NF5270M6", "NF5468M6", "NF8480M6", "NF5280M7"),
    ("sugon", C.SERVER): ("I620-G30", "I840-G30", "A620-G30", "X785-G30"),
}

#: (whole-unit, main-parts) warranty months by category: the common Chinese 三包 practice.
DEFAULT_WARRANTY: dict[C, tuple[int, int]] = {
    C.PHONE: (12, 12),
    C.TABLET: (12, 12),
    C.LAPTOP: (12, 24),
    C.DESKTOP: (12, 36),
    C.TV: (12, 36),
    C.AIR_CONDITIONER: (12, 36),
    C.REFRIGERATOR: (12, 36),
    C.WASHING_MACHINE: (12, 36),
    C.WATER_HEATER: (12, 36),
    C.SERVER: (36, 36),
}

#: Brands that advertise longer terms (e.g. Gree's "6年包修", Haier's 10-year compressor cover).
WARRANTY_OVERRIDES: dict[tuple[str, C], tuple[int, int]] = {
    ("gree", C.AIR_CONDITIONER): (72, 72),
    ("midea", C.AIR_CONDITIONER): (72, 72),
    ("haier", C.AIR_CONDITIONER): (72, 72),
    ("haier", C.REFRIGERATOR): (12, 120),
    ("lenovo", C.DESKTOP): (36, 36),
    ("sony", C.TV): (24, 36),
    ("lg", C.TV): (24, 36),
    ("inspur", C.SERVER): (36, 60),
}

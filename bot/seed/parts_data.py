"""Our hand-written spare-part kinds per category, with names and indicative prices (CNY)."""

from __future__ import annotations

from typing import NamedTuple

from bot.domain.catalogue import ProductCategory as C


class PartKind(NamedTuple):
    """A kind of part; `shared` parts fit every model of a brand × category (remotes, chargers)."""

    kind: str
    abbr: str  # goes into part numbers
    name_zh: str
    name_en: str
    base_price: int
    shared: bool = False


PART_KINDS: dict[C, tuple[PartKind, ...]] = {
    C.PHONE: (
        PartKind("screen", "SCR", "屏幕总成", "Screen assembly", 1200),
        PartKind("battery", "BAT", "电池", "Battery", 299),
        PartKind("charging_port", "CHG", "尾插小板", "Charging port board", 180),
        PartKind("camera", "CAM", "后置摄像头", "Rear camera", 650),
        PartKind("back_cover", "BCV", "后盖", "Back cover", 350),
    ),
    C.TABLET: (
        PartKind("screen", "SCR", "屏幕总成", "Screen assembly", 1100),
        PartKind("battery", "BAT", "电池", "Battery", 399),
        PartKind("charging_port", "CHG", "尾插小板", "Charging port board", 199),
        PartKind("charger", "ADP", "充电器", "Charger", 149, shared=True),
    ),
    C.LAPTOP: (
        PartKind("keyboard", "KBD", "键盘", "Keyboard", 450),
        PartKind("battery", "BAT", "电池", "Battery", 699),
        PartKind("screen", "LCD", "屏幕", "Display panel", 1500),
        PartKind("charger", "ADP", "电源适配器", "Power adapter", 299, shared=True),
        PartKind("motherboard", "MB", "主板", "Motherboard", 3500),
    ),
    C.DESKTOP: (
        PartKind("motherboard", "MB", "主板", "Motherboard", 1800),
        PartKind("psu", "PSU", "电源", "Power supply unit", 399),
        PartKind("ssd", "SSD", "固态硬盘", "SSD", 499, shared=True),
        PartKind("memory", "MEM", "内存条", "Memory module", 399, shared=True),
        PartKind("fan", "FAN", "散热风扇", "Cooling fan", 129),
    ),
    C.TV: (
        PartKind("panel", "PNL", "屏幕面板", "Display panel", 3500),
        PartKind("mainboard", "MB", "主板", "Main board", 800),
        PartKind("power_board", "PWR", "电源板", "Power board", 400),
        PartKind("remote", "RMT", "遥控器", "Remote control", 89, shared=True),
        PartKind("backlight", "BLT", "背光灯条", "Backlight strip", 260),
    ),
    C.AIR_CONDITIONER: (
        PartKind("compressor", "CMP", "压缩机", "Compressor", 1500),
        PartKind("mainboard", "PCB", "电脑板", "Control board (PCB)", 450),
        PartKind("fan_motor", "FMT", "风机", "Fan motor", 380),
        PartKind("remote", "RMT", "遥控器", "Remote control", 69, shared=True),
        PartKind("capacitor", "CAP", "启动电容", "Start capacitor", 45, shared=True),
    ),
    C.REFRIGERATOR: (
        PartKind("compressor", "CMP", "压缩机", "Compressor", 1200),
        PartKind("thermostat", "THM", "温控器", "Thermostat", 160),
        PartKind("door_seal", "SEL", "门封条", "Door seal", 120),
        PartKind("mainboard", "PCB", "主控板", "Control board (PCB)", 350),
    ),
    C.WASHING_MACHINE: (
        PartKind("drain_pump", "DPM", "排水泵", "Drain pump", 150),
        PartKind("door_lock", "DLK", "门锁", "Door lock", 120),
        PartKind("drum_bearing", "BRG", "滚筒轴承", "Drum bearing", 220),
        PartKind("belt", "BLT", "皮带", "Drive belt", 60, shared=True),
        PartKind("motor", "MTR", "电机", "Motor", 650),
    ),
    C.WATER_HEATER: (
        PartKind("heating_element", "HEL", "加热管", "Heating element", 180),
        PartKind("anode_rod", "ANO", "镁棒", "Magnesium anode rod", 80, shared=True),
        PartKind("thermostat", "THM", "温控器", "Thermostat", 160),
        PartKind("igniter", "IGN", "点火器", "Igniter", 140),
    ),
    C.SERVER: (
        PartKind("psu", "PSU", "服务器电源", "Power supply unit", 1800),
        PartKind("fan", "FAN", "系统风扇", "System fan", 450),
        PartKind("disk", "HDD", "硬盘", "Hard disk", 1600, shared=True),
        PartKind("raid_card", "RAID", "阵列卡", "RAID controller", 3200),
        PartKind("memory", "MEM", "内存", "Memory module (DIMM)", 1400, shared=True),
    ),
}

#: Two-letter category codes used in part numbers.
CATEGORY_ABBR: dict[C, str] = {
    C.PHONE: "PH",
    C.TABLET: "TB",
    C.LAPTOP: "NB",
    C.DESKTOP: "PC",
    C.TV: "TV",
    C.AIR_CONDITIONER: "AC",
    C.REFRIGERATOR: "RF",
    C.WASHING_MACHINE: "WM",
    C.WATER_HEATER: "WH",
    C.SERVER: "SV",
}

#: Price multipliers: premium brands' parts cost more.
BRAND_PRICE_FACTOR: dict[str, float] = {
    "apple": 1.6,
    "samsung": 1.3,
    "huawei": 1.2,
    "sony": 1.3,
    "lg": 1.1,
    "dell": 1.1,
    "xiaomi": 0.8,
    "skyworth": 0.85,
    "tcl": 0.85,
    "inspur": 1.0,
    "sugon": 1.05,
}

"""Region keys for the supervisor dashboard: a mainland province from the adcode's first two digits, else a country."""

from __future__ import annotations

#: Province-level divisions by adcode prefix: (Chinese, English).
PROVINCES: dict[str, tuple[str, str]] = {
    "11": ("北京", "Beijing"), "12": ("天津", "Tianjin"), "13": ("河北", "Hebei"), "14": ("山西", "Shanxi"),
    "15": ("内蒙古", "Inner Mongolia"), "21": ("辽宁", "Liaoning"), "22": ("吉林", "Jilin"),
    "23": ("黑龙江", "Heilongjiang"), "31": ("上海", "Shanghai"), "32": ("江苏", "Jiangsu"),
    "33": ("浙江", "Zhejiang"), "34": ("安徽", "Anhui"), "35": ("福建", "Fujian"), "36": ("江西", "Jiangxi"),
    "37": ("山东", "Shandong"), "41": ("河南", "Henan"), "42": ("湖北", "Hubei"), "43": ("湖南", "Hunan"),
    "44": ("广东", "Guangdong"), "45": ("广西", "Guangxi"), "46": ("海南", "Hainan"), "50": ("重庆", "Chongqing"),
    "51": ("四川", "Sichuan"), "52": ("贵州", "Guizhou"), "53": ("云南", "Yunnan"), "54": ("西藏", "Tibet"),
    "61": ("陕西", "Shaanxi"), "62": ("甘肃", "Gansu"), "63": ("青海", "Qinghai"), "64": ("宁夏", "Ningxia"),
    "65": ("新疆", "Xinjiang"), "71": ("台湾", "Taiwan"), "81": ("香港", "Hong Kong"), "82": ("澳门", "Macao"),
}
UNKNOWN = "unknown"


def region_key(country: str | None, adcode_prefix: str | None) -> str:
    """`CN-44` for a Chinese adcode starting 44, else the ISO country code (`GB`), else `unknown`."""
    if adcode_prefix and adcode_prefix in PROVINCES:
        return f"CN-{adcode_prefix}"
    return (country or "").upper() or UNKNOWN


def region_label(key: str, language: str) -> str:
    """A region key in words (`CN-44` → 广东 / Guangdong); countries stay as their codes."""
    if key.startswith("CN-") and key[3:] in PROVINCES:
        zh, en = PROVINCES[key[3:]]
        return en if language == "en" else zh
    return key

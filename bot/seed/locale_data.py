"""Hand-written locale data for the seed network: countries, provinces, phone formats and name parts."""

from __future__ import annotations

from typing import NamedTuple


class Country(NamedTuple):
    """An overseas market; `phone` uses N for a digit 2-9 and # for any digit."""

    name_en: str
    name_zh: str
    weight: float  # share of overseas outlets (market size for Chinese brands, not population)
    phone: str


#: Overseas countries where Chinese brands sell. UK, US and AU numbers use their regulators' drama ranges.
COUNTRIES: dict[str, Country] = {
    "IN": Country("India", "印度", 12, "+91 11 4### ####"),
    "ID": Country("Indonesia", "印度尼西亚", 8, "+62 21 N### ####"),
    "MY": Country("Malaysia", "马来西亚", 4, "+60 3 8### ####"),
    "TH": Country("Thailand", "泰国", 5, "+66 2 N## ####"),
    "VN": Country("Vietnam", "越南", 5, "+84 24 3### ####"),
    "PH": Country("Philippines", "菲律宾", 5, "+63 2 8### ####"),
    "PK": Country("Pakistan", "巴基斯坦", 5, "+92 21 3### ####"),
    "AE": Country("United Arab Emirates", "阿联酋", 3, "+971 4 3## ####"),
    "SA": Country("Saudi Arabia", "沙特阿拉伯", 3, "+966 11 N## ####"),
    "EG": Country("Egypt", "埃及", 4, "+20 2 2### ####"),
    "NG": Country("Nigeria", "尼日利亚", 4, "+234 201 ### ####"),
    "KE": Country("Kenya", "肯尼亚", 2, "+254 20 N## ####"),
    "RU": Country("Russia", "俄罗斯", 6, "+7 495 N## ## ##"),
    "TR": Country("Turkey", "土耳其", 4, "+90 212 N## ## ##"),
    "GB": Country("United Kingdom", "英国", 4, "+44 20 7946 0###"),
    "DE": Country("Germany", "德国", 4, "+49 30 N### ####"),
    "FR": Country("France", "法国", 3, "+33 1 N# ## ## ##"),
    "ES": Country("Spain", "西班牙", 3, "+34 91 N## ## ##"),
    "IT": Country("Italy", "意大利", 3, "+39 06 N### ####"),
    "NL": Country("Netherlands", "荷兰", 2, "+31 20 N## ####"),
    "PL": Country("Poland", "波兰", 3, "+48 22 N## ## ##"),
    "BR": Country("Brazil", "巴西", 6, "+55 11 3### ####"),
    "MX": Country("Mexico", "墨西哥", 5, "+52 55 N### ####"),
    "AU": Country("Australia", "澳大利亚", 2, "+61 2 5550 ####"),
    "SG": Country("Singapore", "新加坡", 1, "+65 6### ####"),
    "US": Country("United States", "美国", 6, "+1 212 555 01##"),
}

#: Mainland provinces (adcode prefix): English name and the area code of the capital.
PROVINCES: dict[str, tuple[str, str]] = {
    "11": ("Beijing", "10"), "12": ("Tianjin", "22"), "13": ("Hebei", "311"), "14": ("Shanxi", "351"),
    "15": ("Inner Mongolia", "471"), "21": ("Liaoning", "24"), "22": ("Jilin", "431"),
    "23": ("Heilongjiang", "451"), "31": ("Shanghai", "21"), "32": ("Jiangsu", "25"), "33": ("Zhejiang", "571"),
    "34": ("Anhui", "551"), "35": ("Fujian", "591"), "36": ("Jiangxi", "791"), "37": ("Shandong", "531"),
    "41": ("Henan", "371"), "42": ("Hubei", "27"), "43": ("Hunan", "731"), "44": ("Guangdong", "20"),
    "45": ("Guangxi", "771"), "46": ("Hainan", "898"), "50": ("Chongqing", "23"), "51": ("Sichuan", "28"),
    "52": ("Guizhou", "851"), "53": ("Yunnan", "871"), "54": ("Tibet", "891"), "61": ("Shaanxi", "29"),
    "62": ("Gansu", "931"), "63": ("Qinghai", "971"), "64": ("Ningxia", "951"), "65": ("Xinjiang", "991"),
}

#: Area codes whose local numbers have 7 digits (the rest have 8).
SEVEN_DIGIT_AREAS = frozenset({"351", "471", "771", "891", "931", "971", "951", "991", "592"})

#: Area codes of big non-capital cities (adcode prefix of the city).
CITY_AREA_CODES: dict[str, str] = {
    "4403": "755", "4419": "769", "4406": "757", "3205": "512", "3302": "574", "3702": "532", "2102": "411",
    "3502": "592", "3202": "510",
}

#: Outlet density multipliers by city (4-digit adcode prefix; 2 digits for the municipalities).
BIG_CITY_WEIGHT: dict[str, float] = {
    "11": 4.0, "31": 4.0, "4401": 4.0, "4403": 4.0, "12": 2.5, "50": 2.0, "5101": 2.5, "3301": 2.5,
    "4201": 2.5, "6101": 2.5, "3205": 2.5, "3201": 2.5, "4301": 2.0, "4101": 2.0, "4419": 2.0, "3702": 2.0,
    "2101": 2.0, "3302": 2.0, "5301": 2.0, "3401": 2.0, "4406": 2.0, "3502": 1.8, "3701": 1.8, "3501": 1.8,
    "2102": 1.8, "2301": 1.8, "2201": 1.5, "1301": 1.5, "4501": 1.5, "5201": 1.5, "3601": 1.5, "1401": 1.5,
    "3202": 1.8,
}

ROADS_ZH: tuple[str, ...] = (
    "人民路", "中山路", "解放路", "建设路", "和平路", "新华路", "长江路", "黄河路", "文化路", "胜利路",
    "工业大道", "迎宾大道", "朝阳路", "光明路", "东风路", "南京路", "幸福路", "学府路", "滨河路", "科技路",
)

STREETS_EN: tuple[str, ...] = (
    "Market Road", "Station Road", "Central Avenue", "Commerce Street", "Park Lane", "Industrial Road",
    "Harbour Road", "Unity Avenue", "Trade Centre Road", "Riverside Drive", "Garden Street", "Airport Road",
)

#: (zh, pinyin) words for Chinese provider names; invented trade names, not real companies.
TRADE_WORDS: tuple[tuple[str, str], ...] = (
    ("鑫达", "Xinda"), ("恒通", "Hengtong"), ("华信", "Huaxin"), ("联创", "Lianchuang"), ("顺安", "Shun'an"),
    ("百佳", "Baijia"), ("诚信", "Chengxin"), ("宏达", "Hongda"), ("嘉禾", "Jiahe"), ("安泰", "Antai"),
    ("瑞丰", "Ruifeng"), ("永盛", "Yongsheng"), ("金诺", "Jinnuo"), ("天联", "Tianlian"), ("广源", "Guangyuan"),
    ("佳美", "Jiamei"), ("东方", "Dongfang"), ("易修", "Yixiu"), ("万家", "Wanjia"), ("速达", "Suda"),
)

#: (zh, en) line of business.
TRADES: tuple[tuple[str, str], ...] = (
    ("电器服务", "Appliance Service"), ("电子科技", "Electronics Technology"), ("家电维修", "Home Appliance Repair"),
    ("数码服务", "Digital Service"), ("售后服务", "After-sales Service"),
)

#: English words for overseas provider names.
TRADE_WORDS_EN: tuple[str, ...] = (
    "Prime", "Apex", "Metro", "Allied", "Swift", "Unity", "Crown", "Summit", "Zenith", "Pioneer", "Vertex", "Nova",
)

#: (hours, weight): most outlets keep office hours; mall counters open late.
OPENING_HOURS: tuple[tuple[str, float], ...] = (
    ("09:00-18:00", 0.45), ("08:30-17:30", 0.2), ("09:00-21:00", 0.15), ("10:00-19:00", 0.1), ("08:00-20:00", 0.1),
)

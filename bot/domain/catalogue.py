"""Product categories we service, with their Chinese and English names and aliases."""

from __future__ import annotations

import re
from enum import Enum

from bot.domain.errors import UnknownCategoryError


class ProductCategory(str, Enum):
    """A kind of product (not to be confused with the triage `Category`)."""

    PHONE = "phone"
    LAPTOP = "laptop"
    DESKTOP = "desktop"
    TABLET = "tablet"
    TV = "tv"
    AIR_CONDITIONER = "air_conditioner"
    REFRIGERATOR = "refrigerator"
    WASHING_MACHINE = "washing_machine"
    WATER_HEATER = "water_heater"
    SERVER = "server"


#: (zh name, en name, aliases) — aliases feed category lookup and, later, the NLU dictionaries.
CATEGORY_NAMES: dict[ProductCategory, tuple[str, str, tuple[str, ...]]] = {
    ProductCategory.PHONE: ("手机", "Phone", ("mobile", "smartphone", "cellphone", "handset", "电话机")),
    ProductCategory.LAPTOP: ("笔记本电脑", "Laptop", ("notebook", "笔记本", "电脑本")),
    ProductCategory.DESKTOP: ("台式电脑", "Desktop PC", ("desktop", "pc", "台式机", "主机", "电脑")),
    ProductCategory.TABLET: ("平板电脑", "Tablet", ("pad", "平板", "ipad")),
    ProductCategory.TV: ("电视", "TV", ("television", "电视机", "smart tv")),
    ProductCategory.AIR_CONDITIONER: (
        "空调", "Air conditioner",
        ("ac", "aircon", "a/c", "冷气", "空调机", "挂机", "柜机", "室外机", "室内机", "外机", "内机", "空调外机"),
    ),
    ProductCategory.REFRIGERATOR: (
        "冰箱", "Refrigerator",
        ("fridge", "freezer", "冰柜", "电冰箱", "side by side", "side-by-side", "top mount", "bottom mount",
         "french door"),
    ),
    ProductCategory.WASHING_MACHINE: (
        "洗衣机", "Washing machine",
        ("washer", "washing-machine", "滚筒", "front loader", "front loading", "front load", "top loader",
         "top loading"),
    ),
    ProductCategory.WATER_HEATER: ("热水器", "Water heater", ("boiler", "geyser", "电热水器", "燃气热水器", "热水")),
    ProductCategory.SERVER: ("服务器", "Server", ("rack server", "机架服务器")),
}

#: Product lines that name their category although they are not category words ("my iPhone" is a phone). Used
#: when reading a customer's answer; the NLU lexicon keeps them as brand aliases.
PRODUCT_LINES: dict[str, ProductCategory] = {
    "iphone": ProductCategory.PHONE, "苹果手机": ProductCategory.PHONE, "galaxy s": ProductCategory.PHONE,
    "galaxy z": ProductCategory.PHONE, "redmi": ProductCategory.PHONE, "pixel": ProductCategory.PHONE,
    "ipad": ProductCategory.TABLET, "galaxy tab": ProductCategory.TABLET, "matepad": ProductCategory.TABLET,
    "macbook": ProductCategory.LAPTOP, "thinkpad": ProductCategory.LAPTOP, "matebook": ProductCategory.LAPTOP,
    "xps": ProductCategory.LAPTOP, "imac": ProductCategory.DESKTOP, "poweredge": ProductCategory.SERVER,
    "ideapad": ProductCategory.LAPTOP, "legion": ProductCategory.LAPTOP, "thinkbook": ProductCategory.LAPTOP,
    "拯救者": ProductCategory.LAPTOP, "xperia": ProductCategory.PHONE, "bravia": ProductCategory.TV,
}

#: Categories whose products are installed by a technician (others are carried in or mailed in).
INSTALLABLE = frozenset(
    {
        ProductCategory.TV,
        ProductCategory.AIR_CONDITIONER,
        ProductCategory.REFRIGERATOR,
        ProductCategory.WASHING_MACHINE,
        ProductCategory.WATER_HEATER,
        ProductCategory.SERVER,
    }
)


def can_be_posted(category: ProductCategory) -> bool:
    """Whether a product can go to a mail-in hub by parcel: never an installed one (an AC, a fridge, a TV)."""
    return category not in INSTALLABLE


def parse_category(text: str) -> ProductCategory:
    """Resolve a code, a zh/en name or an alias to a category, or raise `UnknownCategoryError`."""
    needle = text.strip().lower()
    for category, (zh, en, aliases) in CATEGORY_NAMES.items():
        if needle in {category.value, zh.lower(), en.lower(), *(a.lower() for a in aliases)}:
            return category
    raise UnknownCategoryError(f"unknown product category: {text!r}")


def find_category(text: str) -> ProductCategory | None:
    """The category a free text names ("是台格力空调" → air conditioner, "my iPhone" → phone), or None."""
    folded = text.strip().lower()
    if not folded:
        return None
    try:
        return parse_category(folded)
    except UnknownCategoryError:
        pass
    names = sorted(
        [*((name.lower(), category) for category, (zh, en, aliases) in CATEGORY_NAMES.items()
           for name in (zh, en, category.value, *aliases) if len(name) >= 2), *PRODUCT_LINES.items()],
        key=lambda pair: -len(pair[0]),
    )
    for name, category in names:
        if name.isascii():
            if re.search(rf"(?<![a-z]){re.escape(name)}(?![a-z])", folded):
                return category
        elif name in folded:
            return category
    return None

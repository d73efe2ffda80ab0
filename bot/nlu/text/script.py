"""Which Chinese script the customer writes: traditional (香港、台灣) or simplified, so replies can follow it.

`script_of(text)` reads one message: "hant" when OpenCC's t2s changes one of its Han characters (維修, 壞了),
"hans" when s2t does (维修), None when it has no Han characters or only ones both scripts share (你好, 手机 is
simplified but 電話 is not). `conversation_script` takes the newest message that tells, so a short "ok" or a
neutral "好的" keeps the script the customer has been using. `to_traditional` converts a reply (OpenCC s2tw:
the 為 and 裡 that Hong Kong and Taiwan readers write).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, Literal

from bot.nlu.text.normalise import HAN_CLASS

Script = Literal["hans", "hant"]
#: The language stored on a ticket (and its customer) of a customer who writes traditional characters.
TRADITIONAL_LANGUAGE = "zh-Hant"
_HAN = re.compile(f"[{HAN_CLASS}]+")
MAX_SCANNED_CHARS = 400  # a long message tells its script in its first few hundred characters


@lru_cache(maxsize=3)
def _converter(config: str) -> Any:
    from opencc import OpenCC

    return OpenCC(config)


def script_of(text: str | None) -> Script | None:
    """The script one message is written in, or None when it does not tell (see the module doc)."""
    han = "".join(_HAN.findall((text or "")[:MAX_SCANNED_CHARS]))
    if not han:
        return None
    if _converter("t2s").convert(han) != han:
        return "hant"
    if _converter("s2t").convert(han) != han:
        return "hans"
    return None


def conversation_script(texts_newest_first: Iterable[str | None]) -> Script | None:
    """The script of the newest message that tells one."""
    for text in texts_newest_first:
        script = script_of(text)
        if script is not None:
            return script
    return None


def to_traditional(text: str) -> str:
    """A simplified-Chinese reply in traditional characters (Latin text, numbers and ticket numbers unchanged)."""
    return _converter("s2tw").convert(text) if text and not text.isascii() else text

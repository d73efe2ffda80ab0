"""What the channel itself says (acknowledgements, keyboard labels, polite refusals), in Chinese and English."""

from __future__ import annotations

from typing import Literal

Language = Literal["zh", "en"]

_NOTICES: dict[str, dict[Language, str]] = {
    "greeting": {"zh": "你好", "en": "hello"},  # what /start says to Rasa on the customer's behalf
    "share_location_button": {"zh": "📍 发送我的位置", "en": "📍 Share my location"},
    "share_phone_button": {"zh": "📱 发送我的手机号", "en": "📱 Share my phone number"},
    "location_received": {"zh": "已收到您的位置。", "en": "Got your location."},
    "contact_received": {"zh": "已收到您的电话号码。", "en": "Got your phone number."},
    "photo_saved": {"zh": "照片已收到，会附在您的服务单上。",
                    "en": "Thanks, we've got your photo; it will be attached to your service request."},
    "photo_too_big": {"zh": "抱歉，这张照片太大了（最大 10 MB），请压缩后重新发送。",
                      "en": "Sorry, that photo is too large (10 MB at most). Please send a smaller one."},
    "photo_not_image": {"zh": "抱歉，只能接收 JPEG、PNG、WebP 或 GIF 格式的照片。",
                        "en": "Sorry, I can only accept photos (JPEG, PNG, WebP or GIF)."},
    "photo_failed": {"zh": "抱歉，照片暂时没能保存，请稍后再发一次。",
                     "en": "Sorry, I couldn't save that photo just now. Please try again in a moment."},
    "unsupported": {"zh": "抱歉，我目前只能处理文字、照片、位置和联系人。",
                    "en": "Sorry, I can only handle text, photos, locations and contacts for now."},
    "button_expired": {"zh": "该按钮已失效，请直接输入您的回答。",
                       "en": "This button has expired; please type your answer instead."},
}


def language_from_code(language_code: str | None) -> Language:
    """The acknowledgement language for a Telegram user's `language_code`: Chinese for "zh…", else English."""
    return "zh" if (language_code or "").lower().startswith("zh") else "en"


def notice(key: str, language: Language) -> str:
    """One of the channel's own texts, in `language`."""
    return _NOTICES[key][language]

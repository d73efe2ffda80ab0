"""Suggested replies for agents, by triage category, in Chinese and English (the customer's language picks one)."""

from __future__ import annotations

from bot.domain.taxonomy import Category

Replies = tuple[tuple[str, str], ...]  # (zh, en) pairs

_GENERIC: Replies = (
    ("您好，我是人工客服，很高兴为您服务。请问有什么可以帮您？",
     "Hello, this is a customer service agent. How can I help you?"),
    ("请稍等，我正在为您查询。", "One moment please, I am looking into it for you."),
)

REPLIES: dict[Category, Replies] = {
    Category.REPORT_FAULT: (
        ("您好，我是人工客服。很抱歉给您带来不便，请问故障是从什么时候开始的？",
         "Hello, I'm an agent. Sorry for the trouble. When did the fault start?"),
        ("方便提供一下产品型号和购买日期吗？我来为您安排维修。",
         "Could you tell me the model and the purchase date? I'll arrange the repair."),
        ("我已为您登记维修，附近的授权服务网点会尽快与您联系。",
         "I've registered the repair; the nearest authorised service centre will contact you soon."),
    ),
    Category.WARRANTY_QUERY: (
        ("请提供购买日期和发票（或订单截图），我来帮您确认保修状态。",
         "Please share the purchase date and the invoice (or order screenshot) so I can check the warranty."),
        ("根据三包规定，主要部件在保修期内可免费维修。",
         "Under the warranty rules, main components are repaired free of charge within the warranty period."),
    ),
    Category.PARTS_AVAILABILITY: (
        ("我帮您查了一下，这个配件目前有库存，可以为您预留。",
         "I've checked: the part is in stock and I can reserve it for you."),
        ("这个配件暂时缺货，到货后我们会第一时间通知您。",
         "The part is out of stock right now; we'll let you know as soon as it arrives."),
    ),
    Category.TICKET_STATUS: (
        ("请提供您的服务单号（AS-开头），我来为您查询进度。",
         "Please give me your ticket number (starting with AS-) and I'll check its progress."),
        ("您的服务单正在处理中，服务网点会尽快与您联系。",
         "Your ticket is being handled; the service centre will contact you shortly."),
    ),
    Category.COMPLAINT: (
        ("非常抱歉给您带来不好的体验，我会认真处理您的反馈。",
         "I'm very sorry for the bad experience. I'll take your feedback seriously."),
        ("能否具体说明一下发生了什么？我会跟进并给您答复。",
         "Could you tell me exactly what happened? I'll follow up and get back to you."),
        ("我已将您的投诉升级给主管，24小时内会有专人联系您。",
         "I've escalated your complaint to a supervisor; someone will contact you within 24 hours."),
    ),
    Category.REQUEST_HUMAN: (
        ("您好，我是人工客服，请问有什么可以帮您？", "Hello, I'm a human agent. How can I help you?"),
        ("感谢您的耐心等待，请描述一下您遇到的问题。", "Thank you for waiting. Please describe the problem."),
    ),
    Category.INSTALLATION_REQUEST: (
        ("请提供安装地址和方便上门的日期，我为您预约安装。",
         "Please share the address and a convenient date, and I'll book the installation."),
        ("安装师傅会在上门前一天与您电话确认时间。",
         "The installer will call you the day before to confirm the time."),
    ),
    Category.RETURN_REFUND: (
        ("退换货需要在购买后七天内，并保持商品完好。请问您是什么时候购买的？",
         "Returns are possible within 7 days of purchase with the product intact. When did you buy it?"),
        ("请提供订单号，我来为您办理退换货。", "Please share your order number and I'll process the return."),
    ),
    Category.FIND_SERVICE_CENTRE: (
        ("请告诉我您所在的城市和区县，我来为您查找最近的授权服务网点。",
         "Please tell me your city and district and I'll find the nearest authorised service centre."),
        ("离您最近的授权服务网点信息如下，建议来电预约后前往。",
         "Here is the nearest authorised service centre; please call ahead before visiting."),
    ),
    Category.GREET: _GENERIC,
    Category.OUT_OF_SCOPE: (
        *_GENERIC,
        ("抱歉，这个问题超出了售后服务的范围，我们主要处理维修、保修、安装和配件问题。",
         "Sorry, that is outside after-sales service; we handle repairs, warranty, installation and parts."),
    ),
}


def suggested_replies(category: Category, language: str, limit: int = 4) -> list[str]:
    """Two to four replies for the category, in English for `en` and in Chinese otherwise (zh, mixed)."""
    pairs = REPLIES.get(category, _GENERIC)
    if len(pairs) < 2:
        pairs = (*pairs, *_GENERIC)
    index = 1 if language == "en" else 0
    return [pair[index] for pair in pairs[:limit]]

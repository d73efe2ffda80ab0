"""Realistic first messages (ours), each with the flow it must start and the details it gives.

Every category, both languages, half with a place and a phone, traditional Chinese and code-switching among them.
`details` names the slots the first message fills; `flow` the form or action the bot must run in reply.
"""

from __future__ import annotations

from typing import NamedTuple


class Opening(NamedTuple):
    """A customer's first message, the flow it must start and the slots it must fill."""

    text: str
    flow: str
    details: tuple[str, ...] = ()


REPAIR, INSTALL, WARRANTY, PARTS, CENTRE = "repair_form", "installation_form", "warranty_form", "parts_form", \
    "centre_form"
STATUS, COMPLAINT, RETURN, HUMAN = "action_ticket_status", "action_create_complaint", "action_return_request", \
    "action_handoff"
PLACE, PHONE = ("location",), ("phone",)
PRODUCT = ("brand", "product_category")

OPENINGS: tuple[Opening, ...] = (
    # faults, zh
    Opening("我家的美的空调不制冷了，我在深圳市南山区科技园", REPAIR, (*PRODUCT, *PLACE)),
    Opening("格力空调显示E1，人在北京市海淀区，电话13812345678", REPAIR, ("brand", "product_category", *PLACE, *PHONE)),
    Opening("海尔冰箱冷藏室不冷了，上海浦东新区，麻烦派人来看看", REPAIR, (*PRODUCT, *PLACE)),
    Opening("华为手机充不进电了，我在西安市雁塔区", REPAIR, (*PRODUCT, *PLACE)),
    Opening("小米电视开机黑屏，声音有，电话13512345678", REPAIR, (*PRODUCT, *PHONE)),
    Opening("我在乌鲁木齐市，联想笔记本开不了机", REPAIR, (*PRODUCT, *PLACE)),
    Opening("海爾洗衣機不脫水了，我在廣州市天河區", REPAIR, (*PRODUCT, *PLACE)),  # traditional
    Opening("我的iPhone屏幕碎了，在成都市武侯区，电话13912345678", REPAIR, ("product_category", *PLACE, *PHONE)),
    Opening("美的热水器不加热，杭州市西湖区", REPAIR, (*PRODUCT, *PLACE)),
    Opening("戴尔电脑老是蓝屏死机，长沙市岳麓区", REPAIR, (*PRODUCT, *PLACE)),
    Opening("我的Dell laptop开不了机了，在南京市鼓楼区", REPAIR, (*PRODUCT, *PLACE)),  # code-switching
    Opening("三星洗衣机漏水，电话13712345678", REPAIR, (*PRODUCT, *PHONE)),
    # faults, en
    Opening("Haier fridge not cooling, I'm in Berlin", REPAIR, (*PRODUCT, *PLACE)),
    Opening("My Dell laptop screen is flickering", REPAIR, PRODUCT),
    Opening("my Samsung washing machine is leaking water, I live in London, call me on +44 7911 123456", REPAIR,
            (*PRODUCT, *PLACE, *PHONE)),
    Opening("Huawei phone won't charge anymore, I'm in Dubai", REPAIR, (*PRODUCT, *PLACE)),
    Opening("LG TV has no picture, we're in Toronto", REPAIR, (*PRODUCT, *PLACE)),
    Opening("my Lenovo laptop won't boot, based in Singapore", REPAIR, (*PRODUCT, *PLACE)),
    Opening("Midea air conditioner not cooling in Shanghai, phone 13812345678", REPAIR, (*PRODUCT, *PLACE, *PHONE)),
    Opening("the Sony TV keeps restarting, we live in Madrid", REPAIR, (*PRODUCT, *PLACE)),
    # installation
    Opening("新买的格力空调想预约安装，地址北京市朝阳区，电话13812345678", INSTALL, (*PRODUCT, *PLACE, *PHONE)),
    Opening("海尔热水器到货了，什么时候能上门安装，电话13812345678", INSTALL, (*PRODUCT, *PHONE)),
    Opening("小米电视要挂墙安装，我在武汉市洪山区", INSTALL, (*PRODUCT, *PLACE)),
    Opening("美的空调移机，从上海市徐汇区搬到闵行区", INSTALL, PRODUCT),
    Opening("I need my new Samsung washing machine installed, I'm in Manchester", INSTALL, (*PRODUCT, *PLACE)),
    Opening("can you install the LG air conditioner I just bought? I'm in Hamburg", INSTALL, (*PRODUCT, *PLACE)),
    # warranty
    Opening("华为手机去年双十一买的，还在保修期吗", WARRANTY, ("brand",)),
    Opening("格力空调2023年5月买的，保修几年", WARRANTY, ("brand",)),
    Opening("我的联想笔记本还在保修期内吗", WARRANTY, ("brand",)),
    Opening("is my Samsung phone still under warranty? bought it 3 months ago in Paris", WARRANTY, ("brand", *PLACE)),
    Opening("does the Apple warranty cover a battery that drains fast?", WARRANTY, ("brand",)),
    Opening("華為手機保修期多久", WARRANTY, ("brand",)),  # traditional
    # parts
    Opening("华为手机电池有货吗，多少钱", PARTS, ("brand",)),
    Opening("格力空调的压缩机有没有配件", PARTS, ("brand",)),
    Opening("do you have a replacement screen for a Dell XPS 13?", PARTS, ("brand",)),
    Opening("how much is a new battery for a Lenovo ThinkPad?", PARTS, ("brand",)),
    Opening("海尔冰箱门封条坏了，想买个新的，有库存吗？我在昆明市五华区", PARTS, ("brand", *PLACE)),
    # service centres
    Opening("深圳南山区有华为的维修点吗", CENTRE, ("brand", *PLACE)),
    Opening("附近的美的售后网点在哪里", CENTRE, ("brand",)),
    Opening("where is the nearest Samsung service centre in Munich?", CENTRE, ("brand", *PLACE)),
    Opening("Dell repair center near Chicago", CENTRE, ("brand", *PLACE)),
    # status
    Opening("我的维修单AS-20261201-7KQ4MZ到哪一步了", STATUS),
    Opening("查一下我报修的进度", STATUS),
    Opening("what's the status of my repair AS-20261120-K7PQ2M?", STATUS),
    Opening("any update on my service order?", STATUS),
    # complaints
    Opening("师傅约好今天上门，等了一天都没来，我要投诉", COMPLAINT),
    Opening("你们的售后太差了，修了三次还没修好，客服还态度恶劣", COMPLAINT),
    Opening("the technician was rude and left a mess, I want to complain", COMPLAINT),
    Opening("worst service ever, nobody called me back for a week", COMPLAINT),
    Opening("網點師傅亂收費，我要投訴", COMPLAINT),  # traditional
    # returns
    Opening("刚买三天的手机有质量问题，我要退货", RETURN),
    Opening("冰箱送来就是坏的，要求换货", RETURN),
    Opening("I want a refund for the laptop I bought last week", RETURN),
    Opening("can I return the TV? it arrived with a cracked screen", RETURN),
    # a person
    Opening("转人工", HUMAN),
    Opening("我要找人工客服", HUMAN),
    Opening("let me talk to a real person please", HUMAN),
    Opening("agent please", HUMAN),
    # more faults with place and phone, both languages
    Opening("TCL电视没有声音了，郑州市金水区，电话13612345678", REPAIR, (*PRODUCT, *PLACE, *PHONE)),
    Opening("my HP desktop won't power on, I'm in Sydney", REPAIR, (*PRODUCT, *PLACE)),
)

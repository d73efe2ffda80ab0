"""PII masking of stored training examples: every kind in Chinese and English, several in one message, and the words
that carry the need (cities, brands, models, error codes, prices, dates) left alone."""

from __future__ import annotations

import pytest

from bot.nlu.text.masking import MAX_STORED_CHARS, PLACEHOLDERS, has_content, mask_pii

MASKED = [
    # phones: CN mobile and landline, international, national US/UK, cued short numbers, messenger ids
    ("我的手机13812345678，帮我看看", "我的手机[phone]，帮我看看"),
    ("电话 +86 138-1234-5678", "电话 [phone]"),
    ("手机号：138 1234 5678 谢谢", "手机号：[phone] 谢谢"),
    ("座机010-88881234", "座机[phone]"),
    ("打0755-8601 3388找我", "打[phone]找我"),
    ("call me on +44 20 7946 0958 please", "call me on [phone] please"),
    ("+1 415-867-5309", "[phone]"),
    ("my number is (415) 867-5309", "my number is [phone]"),
    ("ring 07911 123456 anytime", "ring [phone] anytime"),
    ("tel: 2345 6789", "tel: [phone]"),
    ("qq 12345678 加我", "qq [phone] 加我"),
    ("微信 wxid_abc123 联系", "微信 [phone] 联系"),
    # IMEIs and serial numbers
    ("IMEI 490154203237518 屏幕碎了", "IMEI [imei] 屏幕碎了"),
    ("my imei: 35-209900-176148-1", "my imei: [imei]"),
    ("imei is 490154203237519 (typo?)", "imei is [imei] (typo?)"),
    ("序列号：SN12345678 的空调", "序列号：[serial] 的空调"),
    ("serial number is 5CD1234XYZ", "serial number is [serial]"),
    ("S/N: C02XK1JHJG5H laptop", "S/N: [serial] laptop"),
    # ticket numbers
    ("工单AS-20261201-7KQ4MZ怎么样了", "工单[ticket]怎么样了"),
    ("ticket as 20261201 7kq4mz status?", "ticket [ticket] status?"),
    # e-mail
    ("邮箱 zhang.san@qq.com 联系", "邮箱 [email] 联系"),
    ("email me at John.Smith+x@example.co.uk", "email me at [email]"),
    ("邮箱：ｌｉｓｉ＠１６３．ｃｏｍ", "邮箱：[email]"),
    # Chinese addresses: the city and district stay
    ("我家住在深圳市南山区科技园南路18号", "我家住在深圳市南山区[address]"),
    ("地址：北京市朝阳区建国路88号3栋2单元501室", "地址：北京市朝阳区[address]"),
    ("上海市徐汇区长乐路123弄5号602", "上海市徐汇区[address]"),
    ("广州天河区阳光花园5栋1203，空调不制冷", "广州天河区[address]，空调不制冷"),
    ("华润大厦A座1808室", "[address]"),
    ("滨江区江南大道3850号创新大厦1201", "滨江区[address]"),
    ("我在3栋2单元501", "我在[address]"),
    ("送到12号楼502", "送到[address]"),
    ("寄到1203室", "寄到[address]"),
    ("上門地址：臺北市中正區重慶南路一段122號", "上門地址：臺北市中正區[address]"),
    # English addresses and postcodes
    ("I live at 12 Baker Street, London", "I live at [address], London"),
    ("Flat 3, 221B Baker Street, London NW1 6XE", "[address], London [address]"),
    ("Apt 4B, 350 5th Ave, New York, NY 10118", "[address], New York, NY [address]"),
    ("12 main st. springfield", "[address] springfield"),
    ("postcode SW1A 1AA", "postcode [address]"),
    ("send it to PO Box 123", "send it to [address]"),
    # names introduced as such
    ("我叫王小明，空调坏了", "我叫[name]，空调坏了"),
    ("我姓李", "我姓[name]"),
    ("联系人：张三 电话13912345678", "联系人：[name] 电话[phone]"),
    ("王先生您好", "[name]先生您好"),
    ("请联系欧阳先生", "请联系[name]先生"),
    ("李女士的冰箱", "[name]女士的冰箱"),
    ("找一下陈小姐", "找一下[name]小姐"),
    ("我姓欧阳，叫欧阳娜娜", "我姓[name]，叫[name]娜娜"),
    ("我叫John，iPhone坏了", "我叫[name]，iPhone坏了"),
    ("my name is John Smith and my TV is broken", "my name is [name] and my TV is broken"),
    ("my name is li wei, the fridge", "my name is [name], the fridge"),
    ("Hi, this is Sarah. My fridge is leaking", "Hi, this is [name]. My fridge is leaking"),
    ("this is John Smith from Leeds", "this is [name] from Leeds"),
    ("name: Jane Doe", "name: [name]"),
    ("Mr. Brown called", "Mr. [name] called"),
    ("Mrs smith", "Mrs [name]"),
    # other long numbers
    ("订单号 123456789012345 还没发货", "订单号 [number] 还没发货"),
    ("card 4111 1111 1111 1111", "card [number]"),
]

KEPT = [
    "格力空调KFR-35GW/BP2DN1Y E4报错", "E4 error on my Midea, model MDG09EH", "三星 Galaxy S23 Ultra 屏幕碎了",
    "RTX 4090 and i7-13700K, 32GB", "1.5匹变频空调 3级能效 55寸电视", "型号 BCD-470WDPG 冰箱", "路由器AX3000",
    "price 2999元, 买的2025-03-05", "¥12,999 for this?", "$1,299.99 and still broken", "预约2026年12月30日下午",
    "10:00-12:00 上门", "2025.03.05 2025.04.06", "bought on 05/03/2025", "不知道3号能不能来", "我在这个小区住了3年",
    "my hard drive failed, 2 tb drive", "waited 3 hours on the road", "the battery went flat 2 days ago",
    "I bought a 2 way radio", "This is ridiculous!", "THIS IS RIDICULOUS", "This is Samsung's fault",
    "This is Apple support?", "MS Office crashes", "我叫了三次客服都没人理", "这位先生", "老先生", "你好先生",
    "张小姐姐你好", "北京市朝阳区的空调", "上海浦东新区 冰箱不制冷", "Manchester store, Dyson V8",
    "打了400-820-8820热线",
    "@SamsungSupport my Galaxy reboots", "北京路", "解放路步行街", "3号楼", "the 2nd floor",
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_masks_each_kind_of_personal_data(text: str, expected: str) -> None:
    assert mask_pii(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_leaves_words_that_carry_the_need(text: str) -> None:
    assert mask_pii(text) == text


def test_several_kinds_in_one_message() -> None:
    text = ("我叫王小明，手机13812345678，邮箱wxm@163.com，地址深圳市南山区科技园南路18号，"
            "工单AS-20261201-7KQ4MZ，IMEI 490154203237518，华为Mate 60屏幕碎了")
    assert mask_pii(text) == ("我叫[name]，手机[phone]，邮箱[email]，地址深圳市南山区[address]，工单[ticket]，"
                              "IMEI [imei]，华为Mate 60屏幕碎了")
    english = ("Hi, this is Sarah. 12 Baker Street, London NW1 6XE, call +44 20 7946 0958 or mail sarah@example.com, "
               "S/N C02XK1JHJG5H, my MacBook won't charge")
    assert mask_pii(english) == ("Hi, this is [name]. [address], London [address], call [phone] or mail [email], "
                                 "S/N [serial], my MacBook won't charge")


def test_repeated_name_is_masked_everywhere() -> None:
    assert mask_pii("my name is Priya Patel. Priya Patel again, my oven") == "my name is [name]. [name] again, my oven"


def test_one_line_and_at_most_1000_characters() -> None:
    assert mask_pii("line1\nline2\t\x00x\u2028y\r\nz") == "line1 line2 x y z"
    long = mask_pii("空调不制冷" * 400)
    assert len(long) == MAX_STORED_CHARS
    phones = mask_pii("13812345678 " * 500)
    assert len(phones) <= MAX_STORED_CHARS and "138" not in phones
    assert phones.endswith("[phone]")  # never cut inside a placeholder


def test_inputs_longer_than_the_scan_limit_leave_no_partial_number() -> None:
    text = "a" * 3990 + " 13812345678"  # the number straddles the 4,000-character scan limit
    masked = mask_pii(text)
    assert "1381" not in masked and len(masked) <= MAX_STORED_CHARS


def test_empty_inputs_and_placeholders_only() -> None:
    assert mask_pii("") == "" and mask_pii(None) == ""
    assert mask_pii("13812345678") == "[phone]"
    assert not has_content(mask_pii("13812345678 zhang@qq.com")) and has_content(mask_pii("电话13812345678"))
    assert all(p.startswith("[") and p.endswith("]") for p in PLACEHOLDERS)


def test_traditional_and_full_width_forms() -> None:
    assert mask_pii("手機１３８１２３４５６７８") == "手機[phone]"
    assert mask_pii("聯系人：陳大文") == "聯系人：[name]"

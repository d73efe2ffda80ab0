"""Hand-written NLU vocabulary the catalogue does not hold: fault terms (symptoms) and everyday part names.

Terms are written in simplified Chinese and lowercase English; matching runs on normalised text, so traditional
and full-width spellings match too, and English terms with an apostrophe also match without it ("wont").
A term must not contain a part name ("screen cracked" would hide the part "screen"): keep symptoms and parts
apart so that both are found.
"""

from __future__ import annotations

#: Canonical symptom (the entity value) -> (Chinese terms, English terms).
FAULT_TERMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "not_cooling": (
        ("不制冷", "不冷", "制冷差", "制冷效果差", "不够冷", "制冷不好"),
        ("not cooling", "no cooling", "doesn't cool", "does not cool", "isn't cold", "not cold", "blowing warm air"),
    ),
    "not_heating": (
        ("不制热", "不加热", "不热", "制热差", "制热效果差"),
        ("not heating", "doesn't heat", "does not heat", "won't heat up", "no heat"),
    ),
    "no_hot_water": (("水不热", "出水不热", "没有热水", "没热水"), ("no hot water", "water not hot")),
    "leaking": (
        ("漏水", "滴水", "渗水", "漏液"),
        ("leaking", "leaks", "leak", "dripping water", "water leaking"),
    ),
    "electric_leak": (("漏电", "电人", "麻手"), ("electric shock", "gives me a shock", "shocks me")),
    "wont_power_on": (
        ("开不了机", "开不开机", "无法开机", "不能开机", "不开机", "不通电"),
        ("won't turn on", "will not turn on", "doesn't turn on", "does not turn on", "not turning on",
         "won't power on", "no power", "dead"),
    ),
    "wont_turn_off": (("关不了机", "无法关机", "关不掉"), ("won't turn off", "won't shut down")),
    "shuts_down": (
        ("自动关机", "突然关机", "自己关机"),
        ("shuts down by itself", "turns off by itself", "keeps shutting down", "shuts off randomly"),
    ),
    "keeps_restarting": (
        ("自动重启", "反复重启", "一直重启", "不停重启"),
        ("keeps restarting", "keeps rebooting", "restarts by itself", "boot loop", "reboot loop"),
    ),
    "wont_boot": (
        ("进不了系统", "无法启动", "启动不了", "卡在开机画面"),
        ("won't boot", "doesn't boot", "stuck on the logo", "stuck on logo"),
    ),
    "blue_screen": (("蓝屏",), ("blue screen", "bsod")),
    "black_screen": (("黑屏",), ("black screen", "blank screen")),
    "screen_glitch": (
        ("花屏", "闪屏", "屏幕闪烁", "竖线", "横线"),
        ("flickering", "flickers", "lines on the screen", "distorted display"),
    ),
    "no_display": (("不显示", "无显示", "不亮", "没有画面"), ("no display", "no picture", "no image")),
    "dead_pixels": (("坏点",), ("dead pixels", "dead pixel")),
    "cracked": (("碎了", "裂了", "碎屏", "摔碎"), ("cracked", "shattered", "smashed")),
    "dropped": (("摔了", "摔坏"), ("dropped it", "fell on the floor")),
    "water_damage": (("进水", "泡水", "掉水里"), ("water damage", "dropped in water", "got wet")),
    "touch_unresponsive": (
        ("触屏失灵", "触摸失灵", "点不动", "乱跳"),
        ("touch not working", "unresponsive touch", "ghost touch"),
    ),
    "freezing": (("死机", "卡死", "卡住了"), ("freezes", "freezing", "frozen", "hangs", "keeps crashing")),
    "slow": (("卡顿", "很卡", "运行慢", "反应慢"), ("lagging", "laggy", "very slow", "runs slow", "sluggish")),
    "wont_charge": (
        ("充不进电", "充不上电", "不充电", "无法充电", "充不了电"),
        ("won't charge", "not charging", "doesn't charge", "does not charge", "can't charge"),
    ),
    "slow_charging": (("充电慢",), ("charges slowly", "slow charging", "charging slowly")),
    "battery_drain": (
        ("掉电快", "耗电快", "不耐用", "待机短"),
        ("drains fast", "drains quickly", "dies quickly", "battery drain"),
    ),
    "swelling": (("鼓包",), ("swollen", "swelling", "bulging")),
    "overheating": (
        ("发烫", "过热", "很烫", "温度过高"),
        ("overheating", "overheats", "gets hot", "too hot", "very hot"),
    ),
    "noisy": (("噪音大", "声音大", "噪音", "嗡嗡响"), ("noisy", "loud noise", "very loud", "too loud")),
    "abnormal_noise": (
        ("异响", "杂音", "咔咔响", "吱吱响"),
        ("strange noise", "weird noise", "rattling", "clicking noise", "grinding noise", "squeaking"),
    ),
    "no_sound": (("没声音", "没有声音", "无声音"), ("no sound", "no audio")),
    "vibration": (("震动大", "抖动", "晃动厉害"), ("shaking", "vibrates a lot", "excessive vibration")),
    "not_spinning": (("不脱水", "不甩干", "不转"), ("won't spin", "not spinning", "doesn't spin")),
    "not_draining": (("不排水", "排水慢"), ("won't drain", "not draining", "doesn't drain")),
    "ice_buildup": (("结冰", "结霜"), ("ice build-up", "frost build-up", "icing up")),
    "tripping_breaker": (("跳闸",), ("trips the breaker", "tripping the breaker")),
    "ignition_failure": (("打不着火", "点不着火", "不点火"), ("won't ignite", "no ignition")),
    "burning_smell": (
        ("烧焦味", "焦味", "冒烟", "起火"),
        ("burning smell", "smells burnt", "smoke", "smoking", "caught fire", "sparks"),
    ),
    "bad_smell": (("有异味", "有臭味", "发臭"), ("smells bad", "bad smell", "stinks")),
    "no_signal": (("没信号", "没有信号", "无信号", "信号差"), ("no signal", "weak signal", "no service")),
    "no_network": (
        ("连不上网", "无法联网", "断网", "连不上"),
        ("can't connect", "won't connect", "keeps disconnecting"),
    ),
    "blurry_camera": (("拍照模糊", "模糊"), ("blurry", "out of focus")),
    "error_code_shown": (
        ("显示E1", "报错", "故障码", "报故障", "显示故障代码"),
        ("error code", "shows an error", "error message"),
    ),
    "not_working": (
        ("坏了", "不工作", "不能用", "用不了"),
        ("broken", "not working", "doesn't work", "does not work", "stopped working"),
    ),
}

#: Part kind (the entity value) -> (Chinese, English) everyday names, beside the catalogue's own kind names.
PART_ALIASES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "screen": (("屏幕", "显示屏", "萤幕", "内屏", "外屏", "触摸屏"), ("screen", "display", "touchscreen", "lcd")),
    "battery": (("电池", "电板"), ("battery",)),
    "charging_port": (("充电口", "充电接口", "尾插"), ("charging port", "charge port", "usb port")),
    "camera": (("摄像头", "相机", "镜头", "前置摄像头"), ("camera", "front camera", "lens")),
    "back_cover": (("后壳", "电池盖"), ("back cover", "back glass", "rear cover")),
    "charger": (("充电器", "充电头", "适配器"), ("charger", "adapter", "power brick")),
    "keyboard": (("键盘",), ("keyboard",)),
    "motherboard": (("主板",), ("motherboard", "logic board")),
    "psu": (("电源",), ("power supply", "psu")),
    "ssd": (("固态硬盘", "固态"), ("ssd", "solid state drive")),
    "memory": (("内存", "内存条"), ("ram", "memory")),
    "fan": (("风扇",), ("fan", "cooling fan")),
    "panel": (("面板",), ("panel",)),
    # An appliance's main control board (a PC's is the motherboard): 主板 in a TV, 电脑板 in an air conditioner.
    "mainboard": (("主板", "电脑板", "主控板", "控制板", "电路板"), ("mainboard", "main board", "pcb", "control board",
                                                            "circuit board")),
    "power_board": (("电源板",), ("power board",)),
    "remote": (("遥控器", "遥控"), ("remote", "remote control")),
    "backlight": (("背光", "灯条"), ("backlight",)),
    "compressor": (("压缩机",), ("compressor",)),
    "fan_motor": (("风扇电机",), ("fan motor", "blower motor")),
    "capacitor": (("电容",), ("capacitor",)),
    "thermostat": (("温控",), ("thermostat",)),
    "door_seal": (("门封", "密封条"), ("door seal", "door gasket", "gasket")),
    "drain_pump": (("水泵",), ("drain pump", "pump")),
    "door_lock": (("门锁",), ("door lock",)),
    "drum_bearing": (("轴承",), ("bearing", "drum bearing")),
    "belt": (("皮带",), ("belt", "drive belt")),
    "motor": (("马达",), ("motor",)),
    "heating_element": (("发热管",), ("heating element",)),
    "anode_rod": (("镁棒",), ("anode rod", "anode", "magnesium rod")),
    "igniter": (("点火针",), ("igniter", "ignitor")),
    "disk": (("硬盘",), ("hard disk", "hard drive", "hdd")),
    "raid_card": (("阵列卡",), ("raid card",)),
}

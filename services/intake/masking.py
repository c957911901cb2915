"""公示 masking: contacts and personal names out of a text, in the forms people write them.

Pure (no I/O). Names are masked by pattern (a surname with an honorific or title, a name
after a label like 联系人 / 姓名 / 我叫) and by the literal names the caller passes (the
hotline caller's contact name); intake keeps no directory of account names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "***"
_DIGIT = "0-9０-９零〇○一二三四五六七八九幺壹贰叁肆伍陆柒捌玖"
_SEP = r"[ \t\-‐–—./\\()（）·、_]"
# Seven or more digits (Arabic, fullwidth or Chinese numerals) with up to three separators
# between them: phones with spaces, dots, slashes or dashes, +86, ID cards (17 + X).
_NUMBER = re.compile(
    rf"(?:[+＋]\s*(?:86|八六){_SEP}*)?[{_DIGIT}](?:{_SEP}{{0,3}}[{_DIGIT}]){{6,}}"
    rf"(?:{_SEP}?[Xx×](?![A-Za-z]))?")
_DATE = re.compile(r"^(?:19|20)\d{2}[-./]\d{1,2}[-./]\d{1,2}$")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+\s*(?:@|＠|\(at\)|\[at\])\s*[A-Za-z0-9-]+"
                    r"(?:\s*(?:\.|\(dot\))\s*[A-Za-z0-9-]+)+", re.IGNORECASE)
_HANDLE = re.compile(r"((?<![A-Za-z])(?:wechat|weixin|vx|wx|v信|qq)|微信号?|威信|薇信|扣扣)"
                     r"(\s*号?\s*[:：]?\s*(?:是|为)?\s*)[A-Za-z0-9][-_A-Za-z0-9]{4,19}",
                     re.IGNORECASE)
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
             "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江"
             "尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐"
             "易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕"
             "单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳穆农"
             "司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬"
             "边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝")
_TITLES = ("先生|女士|小姐|大爷|大妈|大娘|大叔|大哥|大姐|阿姨|阿婆|婆婆|奶奶|爷爷|叔叔|老伯|"
           "老太太|老太|师傅|老师|医生|律师|书记|主任|委员|网格员|同志")
_TITLED = re.compile(rf"[{_SURNAMES}][\u4e00-\u9fff]{{0,2}}?(?=(?:{_TITLES}))")
_ELDER = re.compile(rf"(?<=[老小])[{_SURNAMES}](?![\u4e00-\u9fff]?(?:{_TITLES}))"
                    rf"(?=[家的说和跟同与，,。.\s])")
_LABELLED = re.compile(r"((?:联系人|姓名|名字|我叫|户主|报告人|反映人)\s*[:：]?\s*)"
                       r"[\u4e00-\u9fff·]{2,4}")


def _number(match: re.Match[str]) -> str:
    return match.group(0) if _DATE.match(match.group(0)) else MASK


def mask_contacts(text: str) -> str:
    """E-mail addresses, WeChat / QQ handles, phone and ID-card numbers → ***."""
    text = _EMAIL.sub(MASK, text)
    text = _HANDLE.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    return _NUMBER.sub(_number, text)


def mask_names(text: str, names: Iterable[str] = ()) -> str:
    """Personal names → 某: a surname before an honorific or title (王大爷 → 某大爷),
    老王 / 小李, a name after a label (联系人：刘芳), and each of `names` literally."""
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2},
                       key=len, reverse=True):
        text = text.replace(name, "某")
    text = _LABELLED.sub(lambda m: f"{m.group(1)}某", text)
    text = _TITLED.sub("某", text)
    return _ELDER.sub("某", text)


def scrub(text: str, names: Iterable[str] = ()) -> str:
    """What 公示 may print of a resident's text."""
    return mask_names(mask_contacts(text), names)

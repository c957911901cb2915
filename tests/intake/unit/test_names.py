"""公示 removes the community's account names from published text, in Chinese and pinyin."""

from __future__ import annotations

import pytest

from services.intake.names import NameIndex, pinyin_keys

BOOK = NameIndex(["王芳", "欧阳娜娜", "阿依古丽·买买提", "Zhang Wei", "居民 A1", "单雄信"])


@pytest.mark.parametrize(("text", "published"), [
    ("王芳家楼下的路灯坏了", "某家楼下的路灯坏了"),
    ("找欧阳娜娜反映过", "找某反映过"),
    ("阿依古丽·买买提说下水道堵了", "某说下水道堵了"),
    ("Wang Fang says the lamp is out", "某 says the lamp is out"),
    ("联系 wangfang 或 FANG-WANG", "联系 某 或 某"),
    ("ouyang nana 也知道", "某 也知道"),
    ("zhang wei and Wei Zhang", "某 and 某"),
    ("居民 A1 反映", "某 反映"),
    ("shan xiongxin 和 Dan Xiongxin", "某 和 某"),  # a surname read two ways (单)
])
def test_an_account_name_is_removed_as_written(text, published):
    assert BOOK.scrub(text) == published


@pytest.mark.parametrize("text", [
    "王府井的芳草地",  # the name's characters, not together
    "wangfangs lamp",  # a longer word is not the name
    "wang and then fang",  # other words between the syllables
    "Zhang Weiming",
])
def test_what_only_looks_like_a_name_is_left(text):
    assert BOOK.scrub(text) == text


def test_pinyin_keys_take_both_orders_and_a_name_of_one_character_none():
    assert pinyin_keys("王芳") == {"wangfang", "fangwang"}
    assert pinyin_keys("芳") == set()
    assert not NameIndex([]) and NameIndex(["王芳"])

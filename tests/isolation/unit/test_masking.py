"""公示's masker, table-driven: every common written form of a contact, and personal names
(#9: only one unbroken run of digits was masked). Pure: no I/O."""

from __future__ import annotations

import pytest

from services.intake.masking import mask_contacts, mask_names, scrub

CONTACTS = [
    # (written as, masked)
    ("联系我 13812345678", "联系我 ***"),
    ("电话 138 1234 5678", "电话 ***"),
    ("电话 138-1234-5678", "电话 ***"),
    ("电话 138.1234.5678", "电话 ***"),
    ("电话 138/1234/5678", "电话 ***"),
    ("电话 138 - 1234 - 5678", "电话 ***"),
    ("电话 (010) 6512 3456", "电话 (***"),
    ("座机 010-6512 3456", "座机 ***"),
    ("+86 138 1234 5678 找我", "*** 找我"),
    ("+8613812345678", "***"),
    ("＋86-138-1234-5678", "***"),
    ("电话１３８１２３４５６７８", "电话***"),
    ("电话一三八一二三四五六七八", "电话***"),
    ("电话幺三八 1234 五六七八", "电话***"),
    ("电话壹叁捌壹贰叁肆伍陆柒捌", "电话***"),
    ("身份证 110101195001011234", "身份证 ***"),
    ("身份证 11010119500101123X", "身份证 ***"),
    ("身份证号110101 19500101 123x", "身份证号***"),
    ("邮箱 zhang.san@qq.com 谢谢", "邮箱 *** 谢谢"),
    ("mail: Li_Si+home@163.com.cn", "mail: ***"),
    ("写信到 wang (at) example (dot) org", "写信到 ***"),
    ("邮箱 zhang＠qq.com", "邮箱 ***"),
    ("微信：wxid_abc123", "微信：***"),
    ("微信号 zhangsan88", "微信号 ***"),
    ("加我微信是 li-si-2024", "加我微信是 ***"),
    ("加我vx: Zhang_88", "加我vx: ***"),
    ("VX zhangsan88", "VX ***"),
    ("wx：abc12345", "wx：***"),
    ("v信 abcde123", "v信 ***"),
    ("QQ号 12345678", "QQ号 ***"),
    ("扣扣 987654", "扣扣 ***"),
]

KEPT = [
    "3 号楼前的路灯一周没亮了",
    "东湖路 12 号 3 单元 501",
    "东湖路 12 号 路灯 L-33",
    "2024-05-01 以来一直漏水",
    "花了 1000 元",
    "已经 3 天 2 夜没有热水",
    "wxyz 路口的指示牌",
]

NAMES = [
    ("楼上王大爷家天天吵架", "楼上某大爷家天天吵架"),
    ("刘女士反映门口垃圾", "某女士反映门口垃圾"),
    ("张先生和李阿姨都说", "某先生和某阿姨都说"),
    ("欧阳先生", "某先生"),
    ("王书记来看过", "某书记来看过"),
    ("老王家的狗", "老某家的狗"),
    ("联系人：刘芳，东湖路", "联系人：某，东湖路"),
    ("我叫陈小明", "我叫某"),
    ("姓名 赵丽颖", "姓名 某"),
]


@pytest.mark.parametrize(("written", "masked"), CONTACTS)
def test_a_contact_is_masked_however_it_is_written(written, masked):
    assert mask_contacts(written) == masked


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_text_addresses_dates_and_short_numbers_are_kept(text):
    assert scrub(text) == text


@pytest.mark.parametrize(("written", "masked"), NAMES)
def test_a_personal_name_is_masked(written, masked):
    assert mask_names(written) == masked


def test_known_names_are_masked_literally_longest_first():
    assert mask_names("请陈小明和陈小转告", ["陈小", "陈小明"]) == "请某和某转告"
    assert mask_names("没有名字", ["", None, "陈"]) == "没有名字"  # type: ignore[list-item]


def test_scrub_masks_contacts_and_names_together():
    assert scrub("王大爷 13812345678 家门口漏水，身份证 110101195001011234") == \
        "某大爷 *** 家门口漏水，身份证 ***"

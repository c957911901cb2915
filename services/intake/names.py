"""公示: the community's account names out of a published text, in Chinese and in pinyin.

Pure (no I/O). `NameIndex(display_names)` is built once per community from intake's copy of
its accounts' names; `scrub(text)` replaces each name written as the account has it (王芳), a
minority name with its dot (阿依古丽·买买提), or its pinyin in either order, any case, with
or without spaces or hyphens between syllables (Wang Fang, wangfang, FANG-WANG), by 某.
A display name that is neither a Chinese nor a Latin personal name (居民 A1) is matched
literally. Matching looks up sets at each position of the text: a few thousand names cost
no more than a few.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

from pypinyin import Style, pinyin

MASK = "某"
_HAN = re.compile(r"^[\u4e00-\u9fff][\u4e00-\u9fff·•]{1,11}$")
_LATIN = re.compile(r"^[A-Za-z]+(?:[ \-'][A-Za-z]+)+$")
_WORD = re.compile(r"[A-Za-z]+")
_JOIN = re.compile(r"^[ \t\-'·.]{0,2}$")  # what may stand between two syllables of one name
_MAX_WORDS = 4

# Surnames read otherwise than the character's common reading (单 is dan, the surname shan).
_SURNAME_READINGS = {"单": "shan", "曾": "zeng", "仇": "qiu", "解": "xie", "区": "ou",
                     "查": "zha", "朴": "piao", "盖": "ge", "乐": "yue", "覃": "qin",
                     "缪": "miao", "牟": "mou", "翟": "zhai", "召": "shao", "种": "chong",
                     "员": "yun", "秘": "bi", "折": "she", "黑": "he", "长": "chang"}


def pinyin_keys(han_name: str) -> set[str]:
    """The pinyin a Chinese name is written in, as lowercase letters only: surname first
    and last (wangfang, fangwang), with the surname's own reading where it has one."""
    chars = [c for c in han_name if "\u4e00" <= c <= "\u9fff"]
    if len(chars) < 2:
        return set()
    readings = [r[0] for r in pinyin(chars, style=Style.NORMAL)]
    surnames = {readings[0], _SURNAME_READINGS.get(chars[0], readings[0])}
    given = "".join(readings[1:])
    return {k for s in surnames for k in (s + given, given + s) if k.isalpha()}


class NameIndex:
    def __init__(self, display_names: Iterable[str]) -> None:
        self.han: set[str] = set()
        self.latin: set[str] = set()  # lowercase letters only, the words joined
        self.literal: set[str] = set()
        for raw in display_names:
            name = " ".join((raw or "").split())
            compact = name.replace(" ", "")
            if _HAN.match(compact):
                self.han.add(compact)
                self.latin |= pinyin_keys(compact)
            elif _LATIN.match(name):
                words = [w.lower() for w in _WORD.findall(name)]
                self.latin |= {"".join(words), "".join(words[1:] + words[:1])}
            elif len(name) >= 2:
                self.literal.add(name)
        self._han_lengths = sorted({len(n) for n in self.han}, reverse=True)

    def __bool__(self) -> bool:
        return bool(self.han or self.latin or self.literal)

    def scrub(self, text: str) -> str:
        for name in sorted(self.literal, key=len, reverse=True):
            text = text.replace(name, MASK)
        return self._latin(self._han(text))

    def _han(self, text: str) -> str:
        out, i = [], 0
        while i < len(text):
            hit = next((n for n in self._han_lengths if text[i:i + n] in self.han), 0)
            out.append(MASK if hit else text[i])
            i += hit or 1
        return "".join(out)

    def _latin(self, text: str) -> str:
        if not self.latin:
            return text
        words = list(_WORD.finditer(text))
        spans, i = [], 0
        while i < len(words):
            hit = 0
            for n in range(min(_MAX_WORDS, len(words) - i), 0, -1):
                run = words[i:i + n]
                joined = all(_JOIN.match(text[a.end():b.start()])
                             for a, b in itertools.pairwise(run))
                if joined and "".join(w.group(0).lower() for w in run) in self.latin:
                    hit = n
                    break
            if hit:
                spans.append((words[i].start(), words[i + hit - 1].end()))
            i += hit or 1
        for start, end in reversed(spans):
            text = text[:start] + MASK + text[end:]
        return text

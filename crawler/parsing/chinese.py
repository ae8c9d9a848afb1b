"""Simplified/Traditional helpers on top of OpenCC.

Text is stored as published; matching and search need one script, so the Traditional
forms are converted with OpenCC ``t2s``. Building a converter loads dictionaries, so
it is done once per process.
"""

from __future__ import annotations

import re
from functools import cache

import opencc

#: How much text is enough to tell the script (conversion is the costly part): a Traditional
#: text changes dozens of characters in the first few hundred.
_SAMPLE = 600
#: Runs of Han characters (CJK Unified Ideographs and Extension A), the ones t2s may change.
_HAN_RUNS = re.compile(r"[\u3400-\u9fff]+")
#: Share of characters that must change under t2s for text to count as Traditional.
_TRADITIONAL_SHARE = 0.03


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """OpenCC t2s conversion of ``text`` (Simplified text comes back unchanged)."""
    return _t2s().convert(text) if text else text


def detect_script(text: str) -> str:
    """``"zh-Hant"`` when a noticeable share of the Han characters change under t2s, else ``"zh-Hans"``."""
    sample = "".join(_HAN_RUNS.findall(text[: _SAMPLE * 2]))[:_SAMPLE]  # a third cheaper than deleting the rest
    if not sample:
        return "zh-Hans"
    simplified = to_simplified(sample)
    if simplified == sample:  # most pages: nothing to count
        return "zh-Hans"
    changed = sum(a != b for a, b in zip(sample, simplified))
    return "zh-Hant" if changed / len(sample) >= _TRADITIONAL_SHARE else "zh-Hans"

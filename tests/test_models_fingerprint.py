"""The content fingerprint ignores presentation but not wording."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from models.fingerprint import (
    MIN_MATCHABLE_CHARS,
    article_fingerprint,
    fold,
    normalise_text,
    text_fingerprint,
    word_characters,
)
from tests.archive_items import BODY, OTHER_BODY, make_article


def test_whitespace_punctuation_and_width_are_ignored():
    assert normalise_text("２０２２年，南京 市。\n“会议”！ABC") == "2022年南京市会议ABC"
    spaced = BODY.replace("，", ", ").replace("。", ".\n\n")
    assert text_fingerprint(spaced) == text_fingerprint(BODY)


def test_different_wording_differs():
    assert text_fingerprint(BODY).digest != text_fingerprint(OTHER_BODY).digest
    assert text_fingerprint(BODY).digest != text_fingerprint(BODY.replace("南京", "无锡")).digest


def test_short_bodies_are_not_matchable():
    assert not text_fingerprint("").matchable
    assert not text_fingerprint("短" * (MIN_MATCHABLE_CHARS - 1) + "，。 \n").matchable
    assert text_fingerprint("长" * MIN_MATCHABLE_CHARS).matchable


def test_article_uses_simplified_body_when_present():
    traditional = make_article(body="會議召開", simplified={"body": "会议召开"})
    assert article_fingerprint(traditional) == text_fingerprint("会议召开")
    assert article_fingerprint(make_article(body="會議召開")) == text_fingerprint("會議召開")


@pytest.mark.parametrize(
    "text",
    ["２０２２年，南京\u3000市……", "Ａ\u0301ＢＣ", "ｶﾞｷﾞ，ﾊﾟ", "①㈱ Ⅲ ＡＢＣ", "e\u0301\n＂ｅ＂\u0308", "", "\ud800ａ"],
)
def test_fold_is_nfkc(text: str) -> None:
    # fullwidth forms and ellipses are decomposed before NFKC: never with another result
    assert fold(text) == unicodedata.normalize("NFKC", text)


def test_normalisation_keeps_its_definition_on_every_character() -> None:
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert fold(every) == unicodedata.normalize("NFKC", every)
    expected = "".join(ch for ch in every if not unicodedata.category(ch).startswith(("P", "Z", "S", "C")))
    assert word_characters(every) == expected
    assert word_characters(every) == expected  # again, from the table the first call filled

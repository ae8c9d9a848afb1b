"""The content fingerprint ignores presentation but not wording."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from models.fingerprint import (
    MIN_MATCHABLE_CHARS,
    VARIANT_FOLDS,
    article_fingerprint,
    fold,
    normalise_text,
    text_fingerprint,
    word_characters,
)
from crawler.parsing.chinese import to_simplified
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
    assert fold(every) == unicodedata.normalize("NFKC", every).translate(str.maketrans(VARIANT_FOLDS))
    expected = "".join(ch for ch in every if not unicodedata.category(ch).startswith(("P", "Z", "S", "C")))
    assert word_characters(every) == expected
    assert word_characters(every) == expected  # again, from the table the first call filled


def test_a_mirror_written_with_variants_opencc_does_not_fold_has_the_originals_fingerprint():
    original = "本报讯 张宁浩介绍，台上的卫生展览吸引了众多市民参观，著名专家现场答疑。" * 3
    mirror = "本報訊 張甯浩介紹，枱上的衞生展覽吸引了衆多市民參觀，著名專家現場答疑。" * 3
    assert "甯" in to_simplified(mirror)  # OpenCC alone leaves it: the fingerprints would differ
    assert text_fingerprint(to_simplified(mirror)) == text_fingerprint(original)
    assert text_fingerprint(original) != text_fingerprint(original.replace("张宁浩", "张明浩"))


def test_every_variant_fold_is_a_character_opencc_leaves_alone():
    assert all(to_simplified(variant) == variant != simple for variant, simple in VARIANT_FOLDS.items())

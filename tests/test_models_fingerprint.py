"""The content fingerprint ignores presentation but not wording."""

from __future__ import annotations

from models.fingerprint import MIN_MATCHABLE_CHARS, article_fingerprint, normalise_text, text_fingerprint
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

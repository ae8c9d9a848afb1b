"""Token codes: PostgreSQL's index holds 32-bit codes; Chinese tokens keep one each."""

from __future__ import annotations

from models.tokens import CJK_START, has_own_code, token_codes


def test_every_bmp_character_and_bigram_has_a_code_of_its_own():
    characters = [chr(CJK_START), "一", "通", "\uffff"]
    tokens = characters + [a + b for a in characters for b in characters]
    assert all(map(has_own_code, tokens))
    assert len(set(token_codes(tokens))) == len(tokens)


def test_codes_fit_a_signed_32_bit_integer_and_come_sorted():
    codes = token_codes(["\uffff\uffff", chr(CJK_START), "gpt", "𠀀", "通"])
    assert codes == sorted(codes)
    assert all(-(2**31) <= code < 2**31 for code in codes)


def test_latin_words_and_rare_ideographs_share_hashed_codes():
    assert not has_own_code("ai") and not has_own_code("𠀀") and not has_own_code("产业发")
    assert token_codes(["acbfy"]) == token_codes(["acvle"])  # a known collision: search confirms on the text

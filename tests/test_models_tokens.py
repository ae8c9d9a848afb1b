"""Token codes: PostgreSQL's index holds 32-bit codes; Chinese tokens keep one each."""

from __future__ import annotations

import hashlib

from models.tokens import (
    _OWN_CODES, _PLANE, _SHARED_CODES, CJK_START, has_own_code, normalise, text_tokens, token_codes,
)


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


def _straightforward_codes(tokens: list[str]) -> list[int]:
    """The codes as the module docstring defines them, token by token."""
    codes = []
    for token in tokens:
        if len(token) <= 2 and all(CJK_START <= ord(char) < 0x10000 for char in token):
            first = ord(token[0]) - CJK_START
            code = first if len(token) == 1 else _PLANE + first * _PLANE + ord(token[1]) - CJK_START
        else:
            digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
            code = _OWN_CODES + int.from_bytes(digest, "big") % _SHARED_CODES
        codes.append(code - 2**31)
    return sorted(codes)


def test_codes_of_mixed_text_equal_the_straightforward_definition_bit_for_bit():
    text = normalise(
        "５Ｇ网络覆盖全国2024年GPT-4o模型发布，𠀀𠀁𪚥是扩展区汉字；Ｌｉｎｕｘ内核⿰⺮ハングル한국어 "
        "the quick brown fox 123456 ﹏…ＡＢＣ一二三\uffef丶乀亅"
    )
    tokens = sorted(text_tokens(text) | {"\uffff\uffff", chr(CJK_START), chr(CJK_START - 1) + "一", "一𠀀", "𠀀一"})
    assert any(len(token) == 2 and not has_own_code(token) for token in tokens)  # every kind of token is there
    assert any(len(token) > 2 for token in tokens) and any(ord(token[0]) >= 0x10000 for token in tokens)
    assert token_codes(tokens) == _straightforward_codes(tokens)
    assert token_codes(iter(tokens)) == token_codes(set(tokens))  # any iterable, in any order


def test_no_tokens_have_no_codes():
    assert token_codes([]) == []

"""Query parsing and tokenising: pure functions, no database."""

from __future__ import annotations

import pytest

from archive.query import MAX_TERMS, MAX_TOKENS_PER_TERM, QueryError, parse_query
from models.tokens import normalise, text_tokens


def test_normalise_folds_width_case_and_punctuation_into_single_spaces():
    assert normalise("５Ｇ網絡，南通市 Hello-World!") == " 5g 網絡 南通市 hello world "


def test_tokens_are_cjk_characters_bigrams_and_whole_latin_words():
    assert text_tokens(normalise("南通市 GPT-4")) == {"南", "通", "市", "南通", "通市", "gpt", "4"}


def test_traditional_query_becomes_simplified():
    (term,) = parse_query("產業").required
    assert term.needle == "产业" and term.tokens == ("产业",) and term.exact


def test_terms_phrases_exclusions_and_and_keyword():
    query = parse_query('南通 AND "产业 发展" -香港')
    assert [t.needle for t in query.required] == ["南通", "产业 发展"]
    assert [t.needle for t in query.excluded] == ["香港"]


def test_long_cjk_term_needs_bigrams_and_a_substring_check():
    (term,) = parse_query("产业发展").required
    assert term.tokens == ("产业", "业发", "发展") and not term.exact


def test_latin_words_are_padded_so_they_match_whole_words():
    (term,) = parse_query("AI").required
    assert term.needle == " ai " and term.exact
    (mixed,) = parse_query("5G网络").required
    assert mixed.needle == " 5g 网络" and mixed.tokens == ("5g", "网络")


@pytest.mark.parametrize("text", ['"', "*", "--", "NEAR(", "^", "{}:", "'; DROP TABLE article; --"])
def test_operators_and_sql_are_only_text(text):
    query = parse_query(text)
    for term in query.required + query.excluded:
        assert all(token.isalnum() for token in term.tokens)


def test_pasted_paragraph_uses_a_bounded_number_of_tokens():
    (term,) = parse_query("".join(chr(0x4E00 + i) for i in range(10_000))).required
    assert len(term.tokens) == MAX_TOKENS_PER_TERM


def test_too_many_terms_is_a_clear_error():
    with pytest.raises(QueryError, match="at most"):
        parse_query(" ".join(f"w{i}" for i in range(MAX_TERMS + 1)))

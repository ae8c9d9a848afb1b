"""decode_html reads bytes by what they are, whatever the page declares."""

import codecs
import gzip

import pytest

from crawler.parsing.encoding import _common_characters, _is_common, decode_html, declared_charsets, looks_binary

SIMPLIFIED = "<html><head><meta charset=gb2312></head><body>江苏多地要求中高风险地区师生员工暂不返校。来源：新华日报</body></html>"
TRADITIONAL = "<html><body>春節前夕，大批港澳同胞經口岸返回內地與家人團聚。來源：香港文匯報 責編：黃小華</body></html>"


@pytest.mark.parametrize("declared", [None, "gb2312", "big5", "utf-8"])
def test_utf8_bytes_decode_as_utf8_whatever_is_declared(declared):
    result = decode_html(SIMPLIFIED.encode("utf-8"), declared)
    assert result.text == SIMPLIFIED and result.encoding == "utf-8" and not result.problems


def test_gb_bytes_declared_utf8_still_decode():
    result = decode_html(SIMPLIFIED.encode("gbk"), "utf-8")
    assert result.text == SIMPLIFIED and result.encoding == "gb18030"


def test_gb2312_is_read_as_gb18030_so_rare_name_characters_survive():
    text = "<p>记者 王喆 镕基</p>"  # 喆 is outside GB2312
    result = decode_html(text.encode("gb18030"), "gb2312")
    assert result.text == text


@pytest.mark.parametrize("declared", [None, "gb2312", "big5"])
def test_big5_pages_decode_to_traditional_not_mojibake(declared):
    result = decode_html(TRADITIONAL.encode("big5"), declared)
    assert result.text == TRADITIONAL and result.encoding.startswith("big5")


def test_bom_wins():
    result = decode_html(codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8"), "gbk")
    assert result.text == SIMPLIFIED


def test_cleaneval_wrapper_encoding_attribute_is_a_hint():
    page = '<text id="http://x.cn/a.htm" encoding="gb2312"><html><body>农机专家李金泽</body></html></text>'
    assert declared_charsets(page.encode("gbk")) == ["gb18030"]
    assert decode_html(page.encode("gbk")).text == page


def test_undecodable_bytes_are_replaced_and_reported():
    result = decode_html(b"\x80<html>\xff\xfa\x81" * 3 + b"\xff")
    assert "\ufffd" in result.text
    assert [p.kind for p in result.problems] == ["encoding"]


def test_utf8_cut_inside_a_character_is_truncated_not_garbled():
    body = SIMPLIFIED.encode("utf-8")[:-20] + "报".encode("utf-8")[:2]
    result = decode_html(body)
    assert result.encoding == "utf-8" and "\ufffd" not in result.text
    assert [p.kind for p in result.problems] == ["truncated"]


def test_declarations_are_read_in_page_order_whatever_their_case():
    head = b'<meta charset="GBK"><?xml version="1.0" ENCODING="Big5"?> CharSet=utf-8'
    assert declared_charsets(head) == ["gb18030", "big5hkscs", "utf-8"]
    # a declaration that swallows the next keyword as its value hides it, as one left-to-right scan does
    assert declared_charsets(b"charset=encoding=gb2312 encoding=big5") == ["big5hkscs"]
    assert declared_charsets(b"no declaration here") == []


def test_the_common_character_table_is_what_the_codec_test_accepts():
    table = _common_characters()
    assert table == {chr(c) for c in range(0x2E80, 0x10000) if not 0xD800 <= c < 0xE000 and _is_common(chr(c))}


def test_a_stray_nul_in_a_text_page_does_not_make_it_binary():
    page = SIMPLIFIED.replace("<head>", "<head><title>标\x00题</title>").encode("utf-8")
    assert not looks_binary(page)
    assert not looks_binary(b"\x00" * 3 + page)


def test_image_and_compressed_bytes_are_binary():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00"
    assert looks_binary(png)
    assert looks_binary(gzip.compress(SIMPLIFIED.encode("utf-8") * 20))
    assert looks_binary(SIMPLIFIED.encode("utf-16-le"))  # UTF-16 without a byte-order mark
    assert not looks_binary(codecs.BOM_UTF16_LE + SIMPLIFIED.encode("utf-16-le"))

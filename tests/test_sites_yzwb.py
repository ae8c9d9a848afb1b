"""Xinhua Daily group sites (yzwb.net, 紫牛新闻): the generic extractor is exact on them, so no site template.

If these tests start failing after a change to the generic extractor, that is the moment
to write ``crawler/sites/yzwb.py`` rather than to loosen them.
"""

import pytest

from crawler.sites.generic import GenericArticlePage
from crawler.sites.registry import page_class_for
from tests.site_corpus_checks import check_against_label, corpus_rows


def test_yzwb_web_pages_use_the_generic_template_and_its_epaper_the_epaper_one():
    assert page_class_for("https://www.yzwb.net/zncontent/1925383.html") is GenericArticlePage
    assert page_class_for("http://epaper.yzwb.net/pc/con/202202/13/content_1.html").template == "epaper"


@pytest.mark.corpus
@pytest.mark.parametrize("row", corpus_rows("yzwb.net"))
def test_real_yzwb_pages_match_labels_with_the_generic_template(row):
    check_against_label(row, "generic")

"""GenericArticlePage on a small fixture and on the corpus pages of sites without rules."""


import pytest

from crawler.items import Article, NotArticle
from crawler.sites.generic import GenericArticlePage, field_method, registrable_domain, strip_site_suffix
from crawler.sites.registry import extract
from tests.corpus_support import CORPUS, bigram_f1, label_for, manifest, page_url, set_f1
from tests.site_fixtures import FIXTURES



def test_generic_fixture_fields():
    result = extract("https://news.example.cn/a/1.html", (FIXTURES / "generic_article.html").read_bytes())
    assert isinstance(result, Article) and result.template == "generic" and result.site == "example.cn"
    assert result.title == "本市新建十座口袋公园"
    assert result.breadcrumbs == ["首页", "城市"]
    # the visible dateline wins over the meta tag, and keeps its seconds
    assert (result.published_at, result.published_precision) == ("2021-09-02T09:30:15+08:00", "second")
    assert result.source == "示范日报"
    assert result.authors == ["张三", "李四"]
    assert result.editors == ["王五"]
    assert result.body.count("\n") == 2 and "分享到" not in result.body and "版权所有" not in result.body


@pytest.mark.parametrize("name", ["list_page.html", "login_page.html", "topic_page.html"])
def test_non_articles(name):
    result = extract(f"https://news.example.cn/{name}", (FIXTURES / name).read_bytes())
    assert isinstance(result, NotArticle) and result.reason


def test_a_short_article_among_many_links_is_still_an_article():
    result = extract("https://news.example.cn/a/9.html", (FIXTURES / "short_article.html").read_bytes())
    assert isinstance(result, Article), result
    assert result.body == "今天清晨，本市迎来今冬首场降雪，交通部门提醒市民注意出行安全。"


def test_pager_lines_never_reach_the_body():
    result = extract("https://news.example.cn/a/7.html", (FIXTURES / "paged_article.html").read_bytes())
    assert isinstance(result, Article)
    assert result.body.splitlines() == [
        "老街改造历时两年，保留了青石板路和百年老店，街区重新热闹起来。",
        "街坊们说，改造让老街既有烟火气，又有新活力。",
    ]
    assert result.page_urls == ["https://news.example.cn/a/7.html", "https://news.example.cn/a/7_2.html"]


@pytest.mark.parametrize("second", ["http://localhost:8902/a/7_2.html", "file:///a/7_2.html",
                                    "https://evil.example/a/7_2.html"])
def test_a_pager_link_to_another_host_or_a_file_is_not_a_page_of_the_article(second: str) -> None:
    html = (FIXTURES / "paged_article.html").read_bytes().replace(b'"/a/7_2.html"', f'"{second}"'.encode())
    result = extract("https://news.example.cn/a/7.html", html)
    assert isinstance(result, Article)
    assert result.page_urls == ["https://news.example.cn/a/7.html"]


def page(head: str, body: str) -> Article:
    """A minimal article page around ``head`` (headline block) with a fixed body paragraph."""
    html = (
        f"<html><head><meta charset='utf-8'><title>老街新生记_示范新闻网</title></head><body>{head}"
        f"<div class='article'><p>老街改造历时两年，保留了青石板路和百年老店，街坊们说，改造让老街既有烟火气，又有新活力。</p>{body}</div>"
        "</body></html>"
    )
    result = extract("https://news.example.cn/a/7.html", html.encode("utf-8"))
    assert isinstance(result, Article), result
    return result


def test_headline_inside_a_title_block_with_its_dateline():
    article = page("<div class='detail-title'><div>老街新生记</div><ul><li>来源：示范日报</li><li>2021-05-06 10:20</li></ul></div>", "")
    assert (article.title, article.source) == ("老街新生记", "示范日报")


@pytest.mark.parametrize(
    ("dateline", "source"),
    [
        ("<div><span>2022-02-13 09:57 光明网</span></div>", "光明网"),  # after the date, no label
        ("<div><p>新华社</p><p>2020-01-03 18:13</p></div>", "新华社"),  # on its own line above the date
        ("<div>2005年03月21日 11:21 <font>《理财周刊》</font></div>", "理财周刊"),
        ("<div>2022-02-13 09:57 <span class='action-from-gw'>站长点击我去广告&gt;</span></div>", None),
    ],
)
def test_unlabelled_sources_in_the_dateline(dateline, source):
    assert page(f"<h1>老街新生记</h1>{dateline}", "").source == source


def test_bare_name_in_an_author_element_and_no_names_from_a_body_container():
    article = page(
        "<h1>老街新生记</h1><div>2023-06-15 08:10 <span id='author_baidu'>王帆</span></div>",
        "<p>记者 王帆</p>",
    )
    assert article.authors == ["王帆"]
    article = page("<h1>老街新生记</h1><div>2023-06-15 08:10</div>", "")
    assert article.authors == []


@pytest.mark.parametrize(
    ("trail", "crumbs"),
    [
        ("<div>您所在的位置&nbsp;<a href='/'>首页</a>&nbsp;<a href='/zt/'>专题频道</a></div>", ["首页", "专题频道"]),
        ("<ul class='bread'><li><a href='/'>晚报</a></li><li><a href='/ty/'>太原</a></li><li>正文</li></ul>", ["晚报", "太原"]),
        ("<td><a href='/'>汽车</a>&nbsp;&gt;&gt;&nbsp;<a href='/dt/'>车坛动态</a>&nbsp;&gt;&gt;&nbsp;业界新闻</td>",
         ["汽车", "车坛动态"]),
        ("<div class='menu'><a href='/'>首页</a> <a href='/a/'>要闻</a></div>", []),  # a menu, not a trail
    ],
)
def test_breadcrumb_trails(trail, crumbs):
    assert page(f"<table><tr>{trail}</tr></table><h1>老街新生记</h1>" if trail.startswith("<td") else
                f"{trail}<h1>老街新生记</h1>", "").breadcrumbs == crumbs


def test_a_failing_field_becomes_a_problem_not_an_exception(monkeypatch):
    page = GenericArticlePage("https://news.example.cn/a/1.html", (FIXTURES / "generic_article.html").read_text())
    monkeypatch.setattr(GenericArticlePage, "body_element", property(lambda self: 1 / 0))
    article = page.to_article()
    assert article.title == "本市新建十座口袋公园"
    assert ("parse_error", "body") in {(p.kind, p.field) for p in article.problems}


@pytest.mark.parametrize(
    ("title", "headline"),
    [
        ("江苏多地要求师生暂不返校--人民网江苏频道--人民网", "江苏多地要求师生暂不返校"),
        ("习近平主持召开座谈会-中国科普网", "习近平主持召开座谈会"),
        ("千龙网--汽车--广汽回应现代合资内幕", "广汽回应现代合资内幕"),
        ("书记市长这一周 | 奋马扬鞭争春色，“虎”力全开向未来", "书记市长这一周 | 奋马扬鞭争春色，“虎”力全开向未来"),
    ],
)
def test_strip_site_suffix(title, headline):
    assert strip_site_suffix(title) == headline


def corpus_results():
    rows = [row for row in manifest() if row["site"] != "people.com.cn"]
    return [(row, label_for(row), extract(page_url(row), (CORPUS / row["file"]).read_bytes())) for row in rows]


@pytest.fixture(scope="module")
def results():
    if not CORPUS.exists():
        pytest.skip(f"corpus not found at {CORPUS}")
    return corpus_results()


@pytest.mark.corpus
def test_list_pages_are_not_articles(results):
    lists = [result for _, label, result in results if label is None]
    assert lists and all(isinstance(result, NotArticle) for result in lists)


@pytest.mark.corpus
def test_every_labelled_page_is_an_article(results):
    assert all(isinstance(result, Article) for _, label, result in results if label is not None)


@pytest.mark.corpus
def test_per_page_fields_met_on_the_way(results):
    """Fields every generic reading should get right on these pages (checked by hand against the labels)."""
    by_file = {row["file"]: (label, result) for row, label, result in results}
    label, article = by_file["raw/xinhuanet.com/newscn_politics_leaders_20240509.html"]
    assert article.authors == label["authors"] == ["邹伟"]
    assert article.breadcrumbs == ["新华网", "时政"]
    label, article = by_file["raw/thepaper.cn/newsDetail_forward_7732983.html"]
    assert article.editors == ["李跃群"]  # 校对 is not an editor
    label, article = by_file["raw/gmw.cn/politics_2024-05-13_content_37319243.html"]
    assert article.authors == ["钟才文"]  # closing signature
    label, article = by_file["raw/qianlong.com/auto_2005-07-18_1680-2723871.html"]  # CleanEval wrapper, GB bytes
    assert article.title == label["title"] and article.source == "21世纪经济报道"


@pytest.mark.corpus
def test_aggregate_scores_over_all_corpus_articles(results):
    people = [(r, label_for(r), extract(page_url(r), (CORPUS / r["file"]).read_bytes()))
              for r in manifest() if r["site"] == "people.com.cn"]
    pages = [(label, result) for _, label, result in results + people if label is not None]
    n = len(pages)

    def exact(field):
        return sum(getattr(a, field) == label[field] for label, a in pages) / n

    assert exact("title") >= 0.97
    assert exact("published_at") >= 0.95
    assert exact("source") >= 0.9
    assert exact("original_title") >= 0.95
    assert sum(set_f1(a.editors, label["editors"]) for label, a in pages) / n >= 0.9
    assert sum(set_f1(a.authors, label["authors"]) for label, a in pages) / n >= 0.8
    assert sum(bigram_f1(a.body, label["body"]) for label, a in pages) / n >= 0.95
    assert sum(set_f1(a.breadcrumbs, label["breadcrumbs"]) for label, a in pages) / n >= 0.9


class _CountingPage(GenericArticlePage):
    """Counts how often its field methods really run."""

    calls: dict[str, int]

    @field_method("source", None)
    def source(self) -> str | None:
        self.calls["source"] = self.calls.get("source", 0) + 1
        return super().source()

    @field_method("pretitle", None)
    def pretitle(self) -> str | None:
        self.calls["pretitle"] = self.calls.get("pretitle", 0) + 1
        raise ValueError("no kicker here")


def test_fields_are_read_once_per_page_and_fail_once():
    html = (FIXTURES / "generic_article.html").read_text()
    counting = _CountingPage("https://news.example.cn/a/1.html", html)
    counting.calls = {}
    article = counting.to_article()
    assert counting.source() == article.source == "示范日报"
    assert counting.pretitle() is None and article.pretitle is None
    assert counting.calls == {"source": 1, "pretitle": 1}
    assert [(p.kind, p.field) for p in counting.problems] == [("parse_error", "pretitle")]
    # the override and the generic answer it falls back on are remembered apart
    assert GenericArticlePage.source(counting) == "示范日报"


def _link_page(links: int, body_chars: int, dated: bool, *, headline: bool = False) -> bytes:
    sentence = "老街改造历时两年，保留了青石板路和百年老店。"  # 22 characters
    paragraphs = "".join(f"<p>{sentence}</p>" for _ in range(body_chars // len(sentence)))
    dateline = "<div class='info'>2023-06-15 08:10 来源：示范日报</div>" if dated else ""
    menu = "".join(f"<li><a href='/n/{i}.html'>第{i}条：本市举办系列活动推动社区治理</a></li>" for i in range(links))
    heading = "老街新生记" if headline else "要闻列表"  # a channel heading is no headline of the page's title
    return (
        "<html><head><meta charset='utf-8'><title>老街新生记_示范新闻网</title></head><body>"
        f"<h1>{heading}</h1>{dateline}<div class='article'>{paragraphs}</div><div><ul>{menu}</ul></div>"
        "</body></html>"
    ).encode("utf-8")


@pytest.mark.parametrize(
    ("links", "body_chars", "dated", "is_list"),
    [
        (45, 1100, False, True),  # 40+ headline links, more than one per 40 characters of body, no date
        (45, 1100, True, False),  # the same with a dateline: an article with a long related list
        (27, 1100, False, False),  # too few links for a list
        (45, 2200, False, False),  # 2200 characters hold 55 links' worth: 45 are not enough
        (65, 550, True, True),  # 60+ links around under 600 characters, dated or not
        (65, 660, True, False),
    ],
)
def test_list_page_rules_at_their_limits_on_pages_without_a_headline(links, body_chars, dated, is_list):
    result = extract("https://news.example.cn/a/8.html", _link_page(links, body_chars, dated))
    assert isinstance(result, NotArticle) == is_list, result
    if is_list:
        assert "list page" in result.reason


@pytest.mark.parametrize("dated", [True, False])
def test_a_headline_over_punctuated_prose_is_an_article_however_many_links_follow(dated):
    result = extract("https://news.example.cn/a/8.html", _link_page(120, 110, dated, headline=True))
    assert isinstance(result, Article), result
    assert result.title == "老街新生记" and "青石板路" in result.body


def test_a_short_article_under_a_header_login_box_is_an_article():
    login_box = "<form action='/login'><input name='u'><input type='password' name='p'><button>登录</button></form>"
    html = (
        "<html><head><meta charset='utf-8'><title>暴雨过后：城区积水全部排干_示范新闻网</title></head><body>"
        f"<div class='top'>{login_box}</div><h1>暴雨过后：城区积水全部排干</h1>"
        "<div class='text'><p>昨夜暴雨过后，城区十二处积水点今晨全部排干。</p>"
        "<p>市政部门出动抽水车四十台次，道路交通已恢复正常。</p>"
        "<p>气象台预计本周后几天以多云天气为主，最高气温将回升到三十度。</p></div></body></html>"
    ).encode("utf-8")
    result = extract("https://news.example.cn/a/10.html", html)
    assert isinstance(result, Article), result
    assert result.body.startswith("昨夜暴雨过后")


def test_a_forum_post_without_a_visible_headline_beside_a_login_box_is_an_article():
    post = "".join(
        f"<p>{s}</p>"
        for s in (
            "导游的收入很大一部分来自购物店的回扣，这在业内是公开的行规。",
            "旅行车停在购物店门口有停车费，进店购物还有人头费。",
            "店里按客人的人数给导游付钱，每人十元到二十五元不等。",
            "所以报名之前一定要看清楚合同，不要轻信低价团。",
            "我去年跟团去云南，六天里进了五家玉器店，每家停留都超过一个小时。",
        )
    )
    html = (
        "<html><head><meta charset='utf-8'><title>旅游论坛 :: 帖子</title></head><body>"
        "<form><input name='u'><input type='password' name='p'></form>"
        f"<table><tr><td class='post'>{post}</td></tr></table></body></html>"
    ).encode("utf-8")
    result = extract("https://bbs.example.cn/t/1.html", html)
    assert isinstance(result, Article), result
    assert "看清楚合同" in result.body


def test_a_channel_page_whose_only_prose_is_one_intro_line_is_still_not_an_article():
    html = (
        "<html><head><meta charset='utf-8'><title>专题：古镇新生</title></head><body>"
        "<div class='zt'><h2>专题：古镇新生</h2><p>本专题记录古镇保护与发展，展示沿线百姓的新生活。敬请关注。</p><ul>"
        + "".join(f"<li><a href='/n/{i}.html'>古镇第{i}篇：老街巷焕发新活力</a></li>" for i in range(12))
        + "</ul></div></body></html>"
    ).encode("utf-8")
    result = extract("https://news.example.cn/zt/1.html", html)
    assert isinstance(result, NotArticle), result


def test_the_first_separated_trail_wins_wherever_the_separator_text_sits():
    article = page(
        "<p>票价 &gt; 50 元</p>"  # a '>' in prose, not a trail
        "<div><a href='/'>首页</a><span> &gt; </span><a href='/sh/'>社会</a> &gt; <a href='/sh/ms/'>民生</a></div>"
        "<div><a href='/'>首页</a> » <a href='/ty/'>体育</a></div>",
        "",
    )
    assert article.breadcrumbs == ["首页", "社会", "民生"]


@pytest.mark.parametrize(
    ("host", "site"),
    [
        ("js.people.com.cn", "people.com.cn"),
        ("www.he.news.cn", "news.cn"),
        ("127.0.0.1", "127.0.0.1"),
        ("::1", "::1"),
        ("localhost", "localhost"),
    ],
)
def test_the_site_of_a_host_is_its_registrable_domain_and_an_ip_is_its_own(host: str, site: str) -> None:
    assert registrable_domain(host) == site


@pytest.mark.parametrize(
    ("line", "dropped"),
    [
        ("2023-06-15 08:10 来源：示范日报", True),
        ("发布：２０２３年６月１５日", True),  # the date starts within the first six characters
        ("12位居民代表参加了2023年6月15日的会议。", False),  # a date, but further in
        ("记者在今天召开的会上获悉，２０２３年６月１５日起老街开放。", False),
    ],
)
def test_a_short_line_starting_with_a_date_is_no_body_text(line, dropped):
    assert (line in page("<h1>老街新生记</h1>", f"<p>{line}</p>").body.split("\n")) is not dropped


def test_an_essay_credits_the_name_alone_under_its_headline_and_no_words_from_its_sentences():
    prose = "".join(
        f"<p>{s}</p>"
        for s in (
            "犬儒主义者什么都不信，却又什么都做，这是我们时代的一种病。",
            "有人告诉记者，他们早已习惯了这种生活，作者本人也不例外。",
            "这种病的根源，在于人们对公共生活失去了信心。",
        )
    )
    html = (
        "<html><head><meta charset='utf-8'><title>显示文章</title></head><body>"
        f"<div class='main'><p>犬儒病(上)</p><p>胡平</p>{prose}</div></body></html>"
    ).encode("utf-8")
    result = extract("https://essays.example.cn/show.asp?id=1", html)
    assert isinstance(result, Article), result
    assert result.authors == ["胡平"]


def _feed_page(marks: str) -> bytes:
    teaser = "记者从市交通运输局获悉，今年全市将新建改建农村公路三百公里，惠及沿线二十万群众，相关工程已陆续开工。"
    feed = "".join(
        f"<div class='item'><h3><a href='/n/{i}.html'>第{i}条推荐：本市又有新举措惠及群众</a></h3><p>{teaser}</p></div>"
        for i in range(12)
    )
    return (
        "<html><head><meta charset='utf-8'><title>社区食堂开张_示范新闻网</title></head><body>"
        "<h1>社区食堂开张</h1><div class='info'>2024-05-20 08:10 来源：示范日报</div>"
        "<div class='content'><p>城南街道首家社区食堂昨天开张，老人凭卡就餐可享八折优惠。</p>"
        "<p>食堂每天供应早中晚三餐，菜品每周更换。</p></div>"
        f"<div{marks}>{feed}</div></body></html>"
    ).encode("utf-8")


@pytest.mark.parametrize("marks", ["", " class='recommend-list'", " id='comments'"])
def test_a_short_article_beside_a_long_feed_keeps_its_own_text(marks):
    result = extract("https://news.example.cn/a/11.html", _feed_page(marks))
    assert isinstance(result, Article), result
    assert result.body.startswith("城南街道首家社区食堂") and "农村公路" not in result.body


def test_a_date_told_in_the_first_sentence_is_not_the_dateline():
    html = (
        "<html><head><meta charset='utf-8'><title>老厂房变身文创园_示范新闻网</title>"
        "<meta name='publishdate' content='2024-05-20 09:30'></head><body><h1>老厂房变身文创园</h1>"
        "<div class='text'><p>2016年4月14日，这家纺织厂停产，厂房闲置了整整六年，周边居民一度担心这里会被拆除，成为又一片空地。</p>"
        "<p>如今，这里成了全市最热闹的文创园区，每到周末游人如织。</p></div>"
        "<div class='foot'>2003-2024 示范新闻网 版权所有</div></body></html>"
    ).encode("utf-8")
    result = extract("https://news.example.cn/a/12.html", html)
    assert isinstance(result, Article), result
    assert result.published_at == "2024-05-20T09:30:00+08:00"


def test_a_forum_post_is_dated_by_its_own_line_not_by_a_later_reply():
    post = "".join(f"<p>{s}</p>" for s in (
        "如果不是导演坚持，这部电影根本不会拍成现在的样子，很多镜头都是一条过。",
        "我看了两遍，第二遍才看懂结尾的那场雨，原来前面早有伏笔。",
    ))
    html = (
        "<html><head><meta charset='utf-8'><title>影评论坛</title></head><body>"
        f"<table><tr><td class='post'>{post}<p>〓 影评论坛 发布时间 2005/03/15 22:36:13 by 观影人 〓</p></td></tr></table>"
        "<table><tr><td class='reply'><p>同感，结尾太妙了。</p><p>回复时间 2005/03/16 01:08:28</p></td></tr></table>"
        "</body></html>"
    ).encode("utf-8")
    result = extract("https://bbs.example.cn/t/2.html", html)
    assert isinstance(result, Article), result
    assert result.published_at == "2005-03-15T22:36:13+08:00"


def _notice_page(head: str, body: str) -> bytes:
    return (
        f"<html><head><meta charset='utf-8'>{head}</head><body>{body}<div class='text'>"
        "<p>市政府办公厅日前印发通知，要求各区做好老旧小区改造工作，确保年内完成。</p>"
        "<p>通知指出，各区要加强组织领导，细化工作措施，按月报送进度。</p></div></body></html>"
    ).encode("utf-8")


@pytest.mark.parametrize(
    ("head", "body"),
    [
        ("<title>关于老旧小区改造的通知 | 示范网</title>", "<h1>关于老旧小区改造的通知 | 示范网</h1>"),
        ("<title>关于老旧小区改造的通知-示范在线</title><meta property='og:site_name' content='示范在线'>",
         "<h1>关于老旧小区改造的通知-示范在线</h1>"),
        ("<title>示范新闻网_关于老旧小区改造的通知</title>", ""),
        ("<title>关于老旧小区改造的通知》-新华网</title>", ""),
    ],
)
def test_a_headline_loses_the_site_name_set_off_by_a_separator(head, body):
    result = extract("https://news.example.cn/a/13.html", _notice_page(head, body))
    assert isinstance(result, Article), result
    assert result.title.startswith("关于老旧小区改造的通知") and "网" not in result.title and "在线" not in result.title


def test_a_dash_inside_a_headline_that_is_no_site_name_stays():
    page = _notice_page("<title>沪深两市-成交额突破万亿元</title>", "<h1>沪深两市-成交额突破万亿元</h1>")
    assert extract("https://news.example.cn/a/14.html", page).title == "沪深两市-成交额突破万亿元"


def test_breadcrumbs_drop_separators_written_inside_their_links():
    trail = "<div class='crumbs'><a href='/'>示范网&gt;</a><a href='/sz/'>时政 &gt;</a> 正文</div>"
    page = _notice_page("<title>关于老旧小区改造的通知</title>", f"{trail}<h1>关于老旧小区改造的通知</h1>")
    assert extract("https://news.example.cn/a/15.html", page).breadcrumbs == ["示范网", "时政"]


def test_a_notice_written_one_div_per_paragraph_keeps_every_paragraph():
    paragraphs = (
        "为做好老旧小区改造工作，维护居民合法权益，现就有关事项通告如下：",
        "一、改造范围为城南街道辖区内二〇〇〇年以前建成的住宅小区，共涉及居民一千二百户，"
        "改造内容包括外墙保温、屋面防水、雨污分流、加装电梯、停车位划设、绿化提升、照明更新、"
        "消防设施完善、无障碍通道建设和智能门禁安装，施工期间将分片分批进行，尽量减少对居民生活的影响。",
        "二、自本通告发布之日起，改造范围内禁止擅自搭建、扩建建筑物和构筑物。",
        "三、各社区要加强宣传引导，及时回应居民诉求，确保改造工作平稳有序推进。",
    )
    divs = "".join(f"<div style='text-align: justify;'>{p}</div>" for p in paragraphs)
    html = (
        "<html><head><meta charset='utf-8'><title>关于老旧小区改造的通告</title></head><body>"
        f"<h1>关于老旧小区改造的通告</h1><div class='article'>{divs}</div></body></html>"
    ).encode("utf-8")
    result = extract("https://www.example.gov.cn/a/16.html", html)
    assert isinstance(result, Article), result
    assert [line[:2] for line in result.body.split("\n")] == ["为做", "一、", "二、", "三、"]


def _blog_month_page() -> bytes:
    posts = (
        ("周末去湖边骑车", "2019-04-21 10:15:02", "周末天气很好，我们一早骑车去了湖边。湖边的樱花开了，游人很多。中午在农家乐吃了鱼，下午才回家。"
         "回来的路上风很大，骑得很累，但大家都很开心，约好下个月再去山里骑一次。到家洗完澡，倒头就睡着了。"),
        ("新学期的计划", "2019-04-12 22:40:11", "新学期开始了，我给自己定了几个小目标。每天读书一小时，每周跑步三次。希望能坚持下来，不再半途而废。"
         "去年的计划只坚持了一个月，今年一定要做得更好。朋友们也来监督我吧，做不到就请大家吃饭，说到做到。"),
        ("老家的春天", "2019-04-02 08:05:45", "回老家住了几天，院子里的桃树又开花了。奶奶说今年雨水多，庄稼会长得好。村口的小路修成了水泥路，"
         "再也不怕下雨天满脚泥了。晚上和表哥在院子里聊天，聊到很晚。小时候的事一件件都想起来了，真怀念那时候。"
         "临走时奶奶塞给我一大包花生，说是自己种的。"),
    )
    entries = "".join(
        f"<table><tr><td class='entry-title'>{title}</td><td class='entry-title'>{when}</td></tr>"
        f"<tr><td class='entry-text'>{text}</td></tr>"
        f"<tr><td class='entry-footer'>由小林张贴 @ <a href='/view?id={n}'>{when}</a> <a href='/c?id={n}'>评论</a></td></tr></table>"
        for n, (title, when, text) in enumerate(posts)
    )
    archive = "".join(f"<li><a href='/archive?m={m}'>我的博客二〇一八年第{m}个月的全部文章目录</a></li>" for m in range(1, 70))
    return (
        "<html><head><meta charset='utf-8'><title>小林 | 博客</title></head><body>"
        f"<div class='posts'>{entries}</div><ul class='archive'>{archive}</ul></body></html>"
    ).encode("utf-8")


def test_a_page_of_several_posts_is_the_first_post_not_the_longest_nor_a_list():
    result = extract("https://blog.example.cn/archives?date=201904", _blog_month_page())
    assert isinstance(result, Article), result
    assert result.body.startswith("周末天气很好") and "新学期" not in result.body and "奶奶" not in result.body
    assert result.published_at == "2019-04-21T10:15:02+08:00"


def test_a_poster_set_in_bold_inside_the_post_line_is_the_author_not_a_later_replier():
    html = (
        "<html><head><meta charset='utf-8'><title>谈谈孩子的阅读习惯</title></head><body>"
        "<h3>谈谈孩子的阅读习惯</h3><div class='msg'><p>孩子爱不爱读书，关键在父母。父母每天读书，孩子自然跟着读。"
        "不要逼孩子读他不喜欢的书，先让他爱上读书这件事本身。</p></div>"
        "<p><center>本贴由<b>青木</b>于2006年3月2日10:12:21在〖<a href='/bbs/'>家长论坛</a>〗发表.</center></p>"
        "<ul><li><a href='/r/1.html'>说得好</a> 2006/03/02 11:40:10 by <b>路人甲</b></li></ul></body></html>"
    ).encode("utf-8")
    result = extract("https://bbs.example.cn/t/3.html", html)
    assert isinstance(result, Article), result
    assert result.authors == ["青木"]


def _thread_page(credit: str) -> bytes:
    return (
        "<html><head><meta charset='utf-8'><title>论坛 :: 旅游版</title></head><body>"
        "<div class='nav'><a href='/'>首页</a> <a href='/travel/'>旅游版</a></div>"
        f"<table><tr><td class='info'>{credit}</td></tr>"
        "<tr><td class='post'>导游的收入很大一部分来自购物回扣，这是业内的行规。出门旅游一定要看清楚合同，"
        "不要听导游瞎说，遇到强制购物可以向旅游部门投诉。</td></tr></table></body></html>"
    ).encode("utf-8")


@pytest.mark.parametrize(
    ("credit", "authors"),
    [
        ("<b>作者：</b><a href='/u/1'>芊草凡凡</a> &nbsp;<b>时间：</b>2005-08-22 19:13:18", ["芊草凡凡"]),
        ("<b>标题：</b>出门旅游的一点经验 <b>时间：</b>2005-08-22 19:13:18", []),
    ],
)
def test_a_post_credits_the_writer_labelled_on_the_line_above_its_text(credit, authors):
    result = extract("https://bbs.example.cn/t/4.html", _thread_page(credit))
    assert isinstance(result, Article), result
    assert result.authors == authors

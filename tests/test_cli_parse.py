"""``newsarchive parse`` prints one JSON object with the schema's field names."""

import json

from cli.main import main
from tests.site_fixtures import FIXTURES



def test_parse_file_with_url(tmp_path, capsys):
    page = tmp_path / "page.html"
    page.write_bytes((FIXTURES / "people_current.html").read_text(encoding="utf-8").encode("gbk"))
    code = main(["parse", str(page), "--url", "http://js.people.com.cn/n2/2022/0301/c360302-1.html"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["template"] == "people" and out["encoding"] == "gb18030"
    assert out["title"] == "测试标题：运河两岸春意浓" and out["editors"] == ["李华", "赵强"]


def test_parse_template_option_for_unknown_host(capsys):
    code = main(["parse", str(FIXTURES / "people_old.html"), "--url", "http://127.0.0.1:8000/a.html", "--template", "people"])
    assert code == 0 and json.loads(capsys.readouterr().out)["template"] == "people"


def test_parse_not_article_exits_1(capsys):
    code = main(["parse", str(FIXTURES / "list_page.html")])
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and out["not_article"] and out["url"].startswith("file://")


def test_parse_missing_file(capsys, tmp_path):
    assert main(["parse", str(tmp_path / "missing.html")]) == 2
    assert "cannot read" in capsys.readouterr().err

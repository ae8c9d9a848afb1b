"""The web interface over HTTP (no browser): pages and JSON API on SQLite and PostgreSQL,
bad input as clear errors, the capture view inert, operator login and CSRF."""

from __future__ import annotations

import gzip
import re

import pytest
from fastapi.testclient import TestClient

from tests.archive_search_items import HONGKONG, NANTONG
from tests.web_support import CHANGED, PASSWORD, WebArchive, archive, csrf, login  # noqa: F401 - archive is a fixture
from web.app import WebConfig, create_app
from web.auth import hash_password, verify_password


@pytest.fixture
def client(archive: WebArchive) -> TestClient:
    with TestClient(create_app(WebConfig(archive.url, hash_password(PASSWORD))), raise_server_exceptions=False) as c:
        yield c


def test_a_traditional_query_finds_simplified_articles_with_total_facets_and_histogram(client):
    result = client.get("/api/search", params={"q": "南通"}).json()
    traditional = client.get("/api/search", params={"q": "南通企業"}).json()
    assert result["total"] == 3 == sum(c["count"] for c in result["facets"]["site"])
    assert {hit["canonical_url"] for hit in traditional["hits"]} >= {HONGKONG}
    assert sum(b["count"] for b in result["histogram"]) == 3
    assert {c["value"] for c in result["facets"]["editor"]} == {"王五", "黃麗"}


def test_a_facet_link_narrows_the_search_and_the_page_shows_it(client):
    page = client.get("/", params={"q": "南通"}).text
    link = re.search(r'<a href="([^"]*editor=[^"]*)">王五</a>', page).group(1)
    narrowed = client.get(link.replace("&amp;", "&"))
    assert re.search(r'id="total"><strong>2</strong>', narrowed.text)
    assert "香港經濟穩步復甦" not in narrowed.text


def test_sorting_by_date_reverses_the_order(client):
    newest = client.get("/api/search", params={"sort": "newest"}).json()["hits"]
    oldest = client.get("/api/search", params={"sort": "oldest"}).json()["hits"]
    assert [h["id"] for h in newest] == [h["id"] for h in reversed(oldest)] and len(newest) == 5
    assert client.get("/api/search", params={"sort": "random"}).status_code == 400


def test_the_histogram_narrows_the_date_range(client):
    result = client.get("/api/search", params={"since": "2024-01-01", "until": "2024-01-31"}).json()
    assert result["histogram_unit"] == "day"
    assert [b["label"] for b in result["histogram"]] == ["2024-01-10", "2024-01-11"]
    assert result["total"] == 2


def test_snippets_are_escaped_and_highlighted(client):
    page = client.get("/", params={"q": "产业"}).text
    assert "<mark>产业</mark>" in page


def test_an_article_page_shows_every_field_its_versions_diff_and_captures(client, archive):
    page = client.get(f"/articles/{archive.nantong_id}", params={"old": 1, "new": 2}).text
    assert "2024-01-10T09:00:00+08:00" in page and "新华日报" in page and "王五" in page
    assert 'class="diff_add"' in page and "四百家" in page
    assert f'href="/captures/{archive.page_capture_id}"' in page
    data = client.get(f"/api/articles/{archive.nantong_id}").json()
    assert data["canonical_url"] == NANTONG and data["version"] == 2 and data["editors"] == ["王五"]
    assert CHANGED in data["body"] and [v["number"] for v in data["versions"]] == [1, 2]
    diff = client.get(f"/api/articles/{archive.nantong_id}/diff", params={"old": 1, "new": 2}).json()["diff"]
    assert any(line.startswith("+body: ") and "四百家" in line for line in diff)


def test_the_simplified_switch_shows_the_simplified_twin(client):
    hit = client.get("/api/search", params={"q": "香港"}).json()["hits"][0]
    published = client.get(f"/articles/{hit['id']}").text
    simplified = client.get(f"/articles/{hit['id']}", params={"text": "simplified"}).text
    assert "香港特區政府" in published and "香港特区政府" in simplified


def test_a_capture_is_served_inert_under_a_sandbox_policy(client, archive):
    response = client.get(f"/captures/{archive.hostile_capture_id}/raw")
    policy = response.headers["content-security-policy"]
    assert policy.startswith("sandbox") and "default-src 'none'" in policy
    html = response.text
    assert "<script" not in html and "http-equiv" not in html and "onload" not in html and "<base" not in html
    assert not re.search(r'\s(src|href|srcset|data|action)="http://127\.0\.0\.2', html)
    assert f'href="/captures/{archive.page_capture_id}/raw"' in html  # archived link kept, locally
    frame = client.get(f"/captures/{archive.hostile_capture_id}").text
    assert re.search(r'<iframe[^>]*sandbox=""', frame) and "allow-scripts" not in frame


def test_a_capture_is_decoded_with_the_recorded_encoding(client, archive):
    html = client.get(f"/captures/{archive.page_capture_id}/raw").text
    assert "南通推进产业升级" in html and "四百家" in html


def test_a_capture_downloads_as_a_warc_record(client, archive):
    response = client.get(f"/captures/{archive.page_capture_id}/record.warc.gz")
    warc = gzip.decompress(response.content)
    assert response.status_code == 200 and b"WARC-Type: response" in warc and NANTONG.encode() in warc


@pytest.mark.parametrize("path, status, message", [
    ("/articles/999999", 404, "no article 999999"),
    ("/articles/abc", 400, "article_id"),
    ("/captures/999999", 404, "no capture 999999"),
    ("/?page=99999999999", 400, "page"),
    ("/?page=0", 400, "page"),
    ("/?page=two", 400, "page"),
    ("/?script=latin", 400, "script"),
    ("/?q=" + "词" * 2001, 400, "q: String should have at most 2000 characters"),
    ("/?until=yesterday", 400, "invalid date"),
    ("/?page=3", 404, "past the last page"),
    ("/?since=2024-02-30", 400, "invalid date"),
    ("/?q=" + "+".join(["词"] * 40), 400, "at most 32"),
    ("/editors/nobody?page=2", 404, "past the last page"),
])
def test_bad_input_is_a_clear_error_page_and_json(client, path, status, message):
    page = client.get(path)
    api = client.get("/api" + path if not path.startswith("/?") else "/api/search" + path[1:])
    assert page.status_code == status and message in page.text and "Traceback" not in page.text
    if not path.startswith(("/captures", "/articles/abc")):
        assert api.status_code == status and message in api.json()["error"]


def test_a_query_full_of_sql_is_only_text_to_search_for(client):
    for q in ("南通'; DROP TABLE article; --", "%", "_", '" OR 1=1 --', "\\"):
        response = client.get("/api/search", params={"q": q})
        assert response.status_code == 200 and response.json()["total"] in (0, 5), q
    assert client.get("/api/search", params={"editor": "王五' OR '1'='1"}).json()["total"] == 0
    assert client.get("/api/search").json()["total"] == 5  # the table is still there, whole


def test_operator_pages_need_a_login_and_json_says_401(client):
    assert client.get("/ops", follow_redirects=False).headers["location"] == "/login?next=/ops"
    assert client.get("/api/jobs").status_code == 401
    token = csrf(client.get("/login").text)
    assert client.post("/login", data={"password": "wrong", "csrf": token}).status_code == 401
    assert client.post("/login", data={"password": PASSWORD, "csrf": "forged"}).status_code == 403
    assert client.get("/api/jobs").status_code == 401


def test_an_operator_adds_pauses_resumes_and_runs_a_schedule(client):
    token = login(client)
    added = client.post("/ops/schedules", data={"csrf": token, "name": "js-daily", "spider": "people",
                                                "arguments": "channel=js", "when": "every", "value": "1d"})
    assert added.status_code == 200 and "js-daily" in added.text
    assert client.post("/ops/schedules/js-daily/pause", data={"csrf": token}).status_code == 200
    assert client.get("/api/schedules").json()[0]["state"] == "paused"
    assert client.post("/ops/schedules/js-daily/pause", data={}).status_code == 403  # no CSRF token: refused
    client.post("/ops/schedules/js-daily/resume", data={"csrf": token})
    client.post("/ops/schedules/js-daily/run", data={"csrf": token})
    assert client.get("/api/schedules").json()[0]["state"] == "active"
    refused = client.post("/ops/schedules/nosuch/pause", data={"csrf": token})
    assert refused.status_code == 404 and "no schedule named" in refused.text
    client.post("/ops/schedules/js-daily/remove", data={"csrf": token})
    assert client.get("/api/schedules").json() == []


def test_reading_pages_never_accept_a_post(client, archive):
    assert client.post("/", data={}).status_code == 405
    assert client.post(f"/articles/{archive.nantong_id}").status_code == 405


def test_operator_pages_are_off_without_a_password(archive):
    with TestClient(create_app(WebConfig(archive.url))) as anonymous:
        assert anonymous.get("/ops").status_code == 403
        assert "--operator-password-file" in anonymous.get("/api/jobs").json()["error"]


def test_a_password_hash_verifies_only_its_password():
    stored = hash_password("s3cret")
    assert stored.startswith("scrypt$") and "s3cret" not in stored
    assert verify_password("s3cret", stored) and not verify_password("s3cret ", stored)
    assert not verify_password("s3cret", "scrypt$garbage")


def test_an_id_beyond_what_the_database_holds_is_a_clear_400(client):
    response = client.get("/api/articles/99999999999999999999999")
    assert response.status_code == 400 and "article_id" in response.json()["error"]

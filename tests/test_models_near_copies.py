"""Near-duplicate detection: sketches, the persisted LSH index, clusters, bad input."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from datetime import datetime

import numpy as np
import pytest
from datasketch import MinHash
from scrapy.settings import Settings
from sqlalchemy import func, select, text

from crawler.items import Article
from crawler.replica.content import generate_article
from models.boilerplate import folded_substantive_text
from models.dedup import NearDupBand, NearDupCluster, NearDupMember, NearDupSignature
from models.engine import make_engine, session_factory
from models.fingerprint import fold
from models.near_copies import (
    BANDS,
    DEFAULT_THRESHOLD,
    MIN_CHARS,
    MINHASH_SEED,
    NUM_PERM,
    ROWS,
    NearDuplicateLinker,
    dedup_text,
    estimated_similarity,
    jaccard,
    shingle_hashes,
    shingles,
    signature,
    sketch,
)
from models.store import store_batch
from pipelines.normalise import normalise
from pipelines.store import DEFAULT_BATCH_SIZE
from tests.archive_items import make_article
from tests.services import REPO

NOTICE = "本网站所刊登的各种新闻、信息和各种专题专栏资料，均为本网版权所有，未经协议授权，禁止下载使用。"


def story(seed: int) -> list[str]:
    """Paragraphs of a generated article (replica vocabulary), about 800 characters."""
    content = generate_article(random.Random(f"dedup-test:{seed}"), datetime(2020, 4, 1, 9), min_chars=700, max_chars=900)
    return [b for b in content.blocks if isinstance(b, str)]


def item(url: str, paragraphs: list[str], **fields) -> Article:
    return normalise(make_article(url, body="\n".join(paragraphs), **fields))


def copy_of(paragraphs: list[str]) -> list[str]:
    """A syndicated copy: new lead, one sentence dropped, a credit line added."""
    edited = ["本网讯" + paragraphs[0], *paragraphs[1:]]
    edited[1] = edited[1].rsplit("。", 2)[0] + "。"
    return [*edited, "（来源：新华日报）"]


@pytest.fixture
def sessions(migrated_db_url):
    engine = make_engine(migrated_db_url)
    yield session_factory(engine)
    engine.dispose()


def store(sessions, *items: Article, linker: NearDuplicateLinker | None = None):
    """Store a batch through the one write path; returns (outcomes, matches)."""
    with sessions.begin() as session:
        result = store_batch(session, items, [], linker=linker)
        return [(o.outcome, o.article_id) for o in result.outcomes], result.near


def clusters(sessions) -> list[set[int]]:
    with sessions() as session:
        rows = session.execute(select(NearDupMember.cluster_id, NearDupMember.article_id)).all()
    grouped: dict[int, set[int]] = {}
    for cluster_id, article_id in rows:
        grouped.setdefault(cluster_id, set()).add(article_id)
    return sorted(grouped.values(), key=min)


# -- sketches ------------------------------------------------------------------------


def test_shingles_and_jaccard() -> None:
    assert shingles("南京市今天召开") == {"南京市今天", "京市今天召", "市今天召开"}
    assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3)
    assert jaccard(set(), set()) == 0.0


def test_dedup_text_drops_boilerplate_punctuation_and_spacing() -> None:
    body = "（责任编辑：王五）\n南京 市今天，召开会议。\n" + NOTICE
    assert dedup_text(body) == "南京市今天召开会议"


def test_dedup_text_keeps_letters_and_digits_of_every_character() -> None:
    # what the regex [\W_]+ (\w is str.isalnum and "_") leaves, on all of Unicode at once
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert dedup_text(every) == re.sub(r"[\W_]+", "", folded_substantive_text(every))


def test_short_texts_get_no_sketch() -> None:
    short = "南京市今天召开全市经济工作会议，总结今年工作并部署明年任务。" * 5  # about 150 characters
    assert len(dedup_text(short)) < MIN_CHARS
    assert sketch(short) is None
    assert sketch("\n".join(story(1))) is not None


def test_signature_is_stable_and_estimates_jaccard() -> None:
    a, b = shingles(dedup_text("\n".join(story(1)))), shingles(dedup_text("\n".join(copy_of(story(1)))))
    assert np.array_equal(signature(a), signature(set(a)))  # same set, same values, any order
    assert signature(a).dtype == np.dtype("<u4") and len(signature(a)) == BANDS * ROWS
    assert estimated_similarity(signature(a), signature(b)) == pytest.approx(jaccard(a, b), abs=0.12)
    unrelated = shingles(dedup_text("\n".join(story(2))))
    assert estimated_similarity(signature(a), signature(unrelated)) < 0.3


def datasketch_signature(text: str) -> np.ndarray:
    """The signature datasketch's MinHash gives the text's shingle hashes (how signatures were first made)."""
    minhash = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, hashfunc=int, scheme="affine32")
    minhash.update_batch((shingle_hashes(text) >> np.uint64(32)).tolist())
    return minhash.hashvalues.astype("<u4")


def test_signatures_are_bit_for_bit_datasketchs() -> None:
    """Signatures are persisted: computing them without datasketch must not change one bit."""
    for body in ("\n".join(story(1)), "\n".join(copy_of(story(1))), "\n".join(story(2)), "２０２０年" * 60):
        found = sketch(body)
        assert found is not None
        assert np.array_equal(found.signature, datasketch_signature(found.text))
        assert np.array_equal(signature(shingles(found.text)), found.signature)
    empty = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme="affine32")
    assert np.array_equal(signature(set()), empty.hashvalues)


def test_crawling_does_not_load_datasketch() -> None:
    """datasketch imports scipy: 0.4 s at every crawl start, for nothing."""
    code = "import sys, pipelines.store; print(sorted({'datasketch', 'scipy'} & sys.modules.keys()))"
    loaded = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


def test_a_store_batch_is_folded_once() -> None:
    """The store fingerprints a whole batch before it checks and sketches its items: the
    caches of folded bodies must hold a batch, or every body is folded again."""
    assert fold.cache_info().maxsize >= DEFAULT_BATCH_SIZE
    assert folded_substantive_text.cache_info().maxsize >= DEFAULT_BATCH_SIZE


# -- linking through the archive ------------------------------------------------------------


def test_syndicated_copy_keeps_its_row_and_joins_a_cluster(sessions) -> None:
    original = item("http://js.people.com.cn/n2/2020/0401/c1-1.html", story(1))
    copy = item("http://www.xhby.net/content/2020-04/01/c_2.html", copy_of(story(1)), site="xhby.net")
    [(o1, first)], _ = store(sessions, original)
    [(o2, second)], matches = store(sessions, copy)
    assert (o1, o2) == ("new", "new") and first != second
    assert clusters(sessions) == [{first, second}]
    expected = jaccard(shingles(dedup_text(original.body)), shingles(dedup_text(copy.body)))
    assert DEFAULT_THRESHOLD < expected < 1
    assert [(m.article_id, m.other_id) for m in matches] == [(second, first)]
    assert matches[0].similarity == pytest.approx(expected, abs=1e-4)
    with sessions() as session:
        member = session.get(NearDupMember, second)
        assert member.linked_to_id == first and member.similarity == pytest.approx(expected, abs=1e-4)


def store_two_copies_and_another(sessions) -> list[int]:
    """One batch: a story, a copy of it, another story; their article ids."""
    outcomes, _ = store(
        sessions,
        item("http://a.cn/1.html", story(1)),
        item("http://b.cn/1.html", copy_of(story(1))),
        item("http://c.cn/1.html", story(2)),
    )
    return [article_id for _, article_id in outcomes]


def test_copies_in_one_batch_find_each_other(sessions) -> None:
    ids = store_two_copies_and_another(sessions)
    assert clusters(sessions) == [{ids[0], ids[1]}]


def test_index_persists_across_sessions_and_linkers(sessions, migrated_db_url) -> None:
    store(sessions, item("http://a.cn/1.html", story(3)))
    other_engine = make_engine(migrated_db_url)  # as another crawler process would connect
    try:
        later = session_factory(other_engine)
        [(_, copy_id)], matches = store(later, item("http://b.cn/1.html", copy_of(story(3))),
                                        linker=NearDuplicateLinker())
    finally:
        other_engine.dispose()
    assert [m.article_id for m in matches] == [copy_id]


def test_index_rows_go_in_as_many_statements_as_the_parameter_limit_needs(sessions, monkeypatch) -> None:
    # 7 parameters a statement: IN lists of 7 keys, 3 band rows or 2 signature rows
    monkeypatch.setattr("models.near_copies.IN_CHUNK", 7)
    ids = store_two_copies_and_another(sessions)
    assert clusters(sessions) == [{ids[0], ids[1]}]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(NearDupBand)) == 3 * BANDS
        assert session.scalar(select(func.count()).select_from(NearDupSignature)) == 3
    _, matches = store(sessions, item("http://d.cn/1.html", copy_of(story(2))))
    assert [m.other_id for m in matches] == [ids[2]]


def test_a_bridge_merges_two_clusters(sessions) -> None:
    a, b = story(4), story(5)
    outcomes, _ = store(
        sessions,
        item("http://a.cn/1.html", a),
        item("http://a.cn/2.html", copy_of(a)),
        item("http://b.cn/1.html", b),
        item("http://b.cn/2.html", copy_of(b)),
        linker=NearDuplicateLinker(0.4),
    )
    assert len(clusters(sessions)) == 2
    outcomes += store(sessions, item("http://c.cn/1.html", a + b), linker=NearDuplicateLinker(0.4))[0]
    assert clusters(sessions) == [{article_id for _, article_id in outcomes}]
    with sessions() as session:
        assert session.scalar(select(func.count(NearDupCluster.id))) == 1


def test_changed_text_is_reindexed(sessions) -> None:
    url = "http://a.cn/1.html"
    [(_, article_id)], _ = store(sessions, item(url, story(6)))
    [(outcome, same)], _ = store(sessions, item(url, story(7), fetched_at="2024-03-02T10:00:00+00:00"))
    assert (outcome, same) == ("changed", article_id)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(NearDupBand)) == BANDS
        assert session.scalar(select(func.count()).select_from(NearDupSignature)) == 1
    # a copy of the old text no longer matches; a copy of the new one does
    _, old_copy = store(sessions, item("http://b.cn/1.html", copy_of(story(6))))
    _, new_copy = store(sessions, item("http://c.cn/1.html", copy_of(story(7))))
    assert old_copy == [] and [m.other_id for m in new_copy] == [article_id]


def test_threshold_setting(sessions) -> None:
    assert NearDuplicateLinker.from_settings(Settings()).threshold == DEFAULT_THRESHOLD == 0.5
    assert NearDuplicateLinker.from_settings(Settings({"NEWSARCHIVE_NEAR_DUP_THRESHOLD": "0.8"})).threshold == 0.8
    with pytest.raises(ValueError, match="NEWSARCHIVE_NEAR_DUP_THRESHOLD=0.1"):
        NearDuplicateLinker(0.1)
    # most of an article re-published (5 of its 8 paragraphs): similarity about 0.57 —
    # a copy under the default threshold, not under 0.7
    whole = story(8)
    part = whole[:5]
    assert len(whole) == 8
    sim = jaccard(shingles(dedup_text("\n".join(whole))), shingles(dedup_text("\n".join(part))))
    assert 0.5 < sim < 0.7
    [(_, whole_id)], _ = store(sessions, item("http://a.cn/1.html", whole))
    assert store(sessions, item("http://b.cn/1.html", part), linker=NearDuplicateLinker(0.7))[1] == []
    edited = ["本网讯" + part[0], *part[1:]]  # not the very text of b.cn's page, which would merge
    matches = store(sessions, item("http://c.cn/1.html", edited))[1]
    assert whole_id in {m.other_id for m in matches}


def test_candidates_come_from_the_index_not_a_scan(sessions, migrated_db_url) -> None:
    query = "SELECT DISTINCT article_id FROM near_dup_band WHERE key IN (1, 2) AND article_id != 3"
    with sessions() as session:
        if migrated_db_url.startswith("sqlite"):
            plan = " ".join(row[-1] for row in session.execute(text("EXPLAIN QUERY PLAN " + query)))
            assert "SEARCH near_dup_band USING PRIMARY KEY (key=?)" in plan, plan  # the table is its key
            assert "SCAN" not in plan, plan
        else:
            # On a near-empty table PostgreSQL rightly prefers a scan; forbid it to show an index serves the query.
            session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(row[0] for row in session.execute(text("EXPLAIN " + query)))
            assert "Index" in plan and "near_dup_band" in plan, plan
            assert "Seq Scan" not in plan, plan


# -- bad input: nothing merged or clustered wrongly -------------------------------------------


def test_empty_and_short_bodies_are_neither_merged_nor_clustered(sessions) -> None:
    short = "南京市今天召开全市经济工作会议，总结今年工作并部署明年任务。会议指出要坚持稳中求进。" * 2
    outcomes, matches = store(
        sessions,
        item("http://a.cn/1.html", [""]),
        item("http://a.cn/2.html", [""]),
        item("http://a.cn/3.html", [short]),
        item("http://b.cn/3.html", [short.replace("今天", "昨天")]),
    )
    assert [o for o, _ in outcomes] == ["new"] * 4
    assert matches == [] and clusters(sessions) == []


def test_boilerplate_only_pages_are_not_one_article(sessions) -> None:
    page = [NOTICE, "（责任编辑：王五）", "扫一扫，关注本网微信公众号，下载本网客户端，随时随地看新闻。"]
    outcomes, matches = store(sessions, item("http://a.cn/1.html", page), item("http://a.cn/2.html", page))
    assert [o for o, _ in outcomes] == ["new", "new"]
    assert matches == [] and clusters(sessions) == []


def test_same_title_different_text_is_not_linked(sessions) -> None:
    outcomes, matches = store(
        sessions,
        item("http://a.cn/1.html", story(9), title="全省安全生产工作会议召开"),
        item("http://b.cn/1.html", story(10), title="全省安全生产工作会议召开"),
    )
    assert [o for o, _ in outcomes] == ["new", "new"]
    assert matches == []


def test_identical_template_with_different_text_is_not_linked(sessions) -> None:
    template_top = ["（本网讯）", "（责任编辑：王五）"]
    template_end = [NOTICE, "扫一扫，关注本网微信公众号。"]
    articles = [item(f"http://a.cn/{n}.html", template_top + story(n) + template_end) for n in range(11, 16)]
    outcomes, matches = store(sessions, *articles)
    assert [o for o, _ in outcomes] == ["new"] * 5
    assert matches == [] and clusters(sessions) == []

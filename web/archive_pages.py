"""Archivists' pages (no login, read-only) and their JSON twins under ``/api/``:
search, article, version diff, capture view, and pages per site, source and person."""

from __future__ import annotations

import difflib
import io
from datetime import date, datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup, escape
from pydantic import BaseModel
from sqlalchemy.orm import Session

from archive.captures import CaptureView, archived_urls, capture_text, capture_view, captures_of
from archive.facets import FACET_NAMES, overview, period
from archive.filters import SCRIPTS, Filters, parse_day
from archive.query import QueryError, parse_query
from archive.records import article_record
from archive.search import SORTS, search
from archive.show import article_view, find_article, version_diff, version_lines
from archive.times import shown_time
from archive.warc import CaptureWarcWriter
from models.capture_store import capture_body
from web.app import Id, read_session, templates
from web.replay import CAPTURE_CSP, neutralise

router = APIRouter()

#: Hits per page.
PER_PAGE = 20
#: Deepest page served: nobody reads 10,000 hits in pages, and deep pages cost a sort each.
MAX_PAGE = 500
Script = Literal["zh-Hans", "zh-Hant"]
Sort = Literal["relevance", "newest", "oldest"]
assert set(SCRIPTS) == set(Script.__args__) and set(SORTS) == set(Sort.__args__)  # one vocabulary with the CLI


class HitOut(BaseModel):
    id: int
    title: str | None
    published_at: datetime | None
    site: str
    canonical_url: str
    snippet: str
    highlights: list[tuple[int, int]]


class CountOut(BaseModel):
    value: str | None
    count: int


class BucketOut(BaseModel):
    label: str
    start: date
    end: date
    count: int


class SearchOut(BaseModel):
    """One page of a search, with the counts that narrow it."""

    query: str
    sort: Sort
    filters: dict[str, str]
    total: int
    page: int
    pages: int
    per_page: int
    hits: list[HitOut]
    facets: dict[str, list[CountOut]]
    facets_counted: int
    histogram_unit: str
    histogram: list[BucketOut]


class SearchParams:
    """The search form's parameters, shared by the page, the API and the per-entity pages."""

    def __init__(
        self,
        q: str = Query("", max_length=2000, description="query: terms, \"phrases\", -excluded"),
        site: str | None = Query(None, max_length=255),
        source: str | None = Query(None, max_length=255),
        author: str | None = Query(None, max_length=255),
        editor: str | None = Query(None, max_length=255),
        since: str | None = Query(None, max_length=10, description="YYYY-MM-DD"),
        until: str | None = Query(None, max_length=10, description="YYYY-MM-DD"),
        script: Script | None = Query(None),
        sort: Sort = Query("relevance", description="relevance (title hits first, then newest), newest or oldest"),
        page: int = Query(1, ge=1, le=MAX_PAGE),
    ) -> None:
        self.q, self.page, self.sort = q, page, sort
        self.values = {"site": site, "source": source, "author": author, "editor": editor,
                       "since": since, "until": until, "script": script}

    def filters(self, **preset: str) -> Filters:
        """The selection; a bad date or query is a 400 with the reason."""
        values = {**{k: v or None for k, v in self.values.items()}, **preset}
        try:
            days = {name: parse_day(values[name]) if values[name] else None for name in ("since", "until")}
            return Filters(**{**values, **days}, query=parse_query(self.q))
        except (QueryError, ValueError) as exc:
            raise HTTPException(400, str(exc)) from None


def run_search(session: Session, params: SearchParams, **preset: str) -> SearchOut:
    """A page of hits with total, facets and histogram; a page past the end is a 404."""
    filters = params.filters(**preset)
    counted = overview(session, filters)
    pages = max(1, -(-counted.total // PER_PAGE))
    if params.page > pages:
        raise HTTPException(404, f"page {params.page} is past the last page ({pages}) of {counted.total} hits")
    # The overview counts the matches, so the page of hits is fetched without a second count.
    hits = search(session, filters, PER_PAGE, (params.page - 1) * PER_PAGE, params.sort)
    return SearchOut(
        query=params.q,
        sort=params.sort,
        filters={k: str(v) for k, v in {**params.values, **preset}.items() if v},
        total=counted.total,
        page=params.page,
        pages=pages,
        per_page=PER_PAGE,
        hits=[HitOut(id=h.article_id, title=h.title, published_at=h.published_at, site=h.site, canonical_url=h.url,
                     snippet=h.snippet, highlights=h.highlights) for h in hits],
        facets={name: [CountOut(value=c.value, count=c.count) for c in counts]
                for name, counts in counted.facets.items()},
        facets_counted=counted.counted,
        histogram_unit=counted.unit,
        histogram=[BucketOut(label=b.label, start=b.start, end=b.end, count=b.count) for b in counted.histogram],
    )


def highlighted(hit: HitOut) -> Markup:
    """The snippet, escaped, with ``<mark>`` around each match."""
    out, last = [], 0
    for start, end in hit.highlights:
        out += [escape(hit.snippet[last:start]), Markup("<mark>"), escape(hit.snippet[start:end]), Markup("</mark>")]
        last = end
    out.append(escape(hit.snippet[last:]))
    return Markup("").join(out)


templates.env.globals.update(highlighted=highlighted, facet_names=FACET_NAMES, period=period, shown_time=shown_time)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def search_view(request: Request, params: SearchParams = Depends(), session: Session = Depends(read_session)) -> Response:
    result = run_search(session, params)
    return templates.TemplateResponse(request, "search.html", {"result": result, "entity": None})


@router.get("/api/search", response_model=SearchOut, tags=["archive"])
def search_api(params: SearchParams = Depends(), session: Session = Depends(read_session)) -> SearchOut:
    """Search the archive: the query syntax of `newsarchive search`, with filters, paging, facets and histogram."""
    return run_search(session, params)


def article_data(session: Session, article_id: int) -> dict[str, Any]:
    """The export record of an article plus its versions, near-copies and captures."""
    record = article_record(session, article_id)
    article = find_article(session, str(article_id))
    if record is None or article is None:
        raise HTTPException(404, f"no article {article_id} in the archive: search finds ids")
    view = article_view(session, article)
    captures = [{"id": c, "version": v, "page": p, "url": u, "fetched_at": f} for c, v, p, u, f in
                captures_of(session, article_id)]
    return {**record, "versions": view["versions"], "cluster": view["cluster"], "captures": captures}


@router.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
def article_page(request: Request, article_id: Id, text: Literal["published", "simplified"] = "published",
                 old: int | None = Query(None, ge=1, le=10**9), new: int | None = Query(None, ge=1, le=10**9),
                 session: Session = Depends(read_session)) -> Response:
    data = article_data(session, article_id)
    diff = None
    if old is not None or new is not None:
        if old is None or new is None:
            raise HTTPException(400, "a comparison needs both versions: old=V1&new=V2")
        diff = _side_by_side(session, article_id, old, new)
    images = archived_urls(session, [image.get("url", "") for image in data["images"] or []])
    return templates.TemplateResponse(request, "article.html", {
        "a": data, "text": text, "diff": diff, "old": old, "new": new, "archived_images": images})


@router.get("/api/articles/{article_id}", tags=["archive"])
def article_api(article_id: Id, session: Session = Depends(read_session)) -> dict[str, Any]:
    """Every field of an article (names as in schemas/article-export.v1.json), its versions, near-copies and captures."""
    return article_data(session, article_id)


@router.get("/api/articles/{article_id}/versions", tags=["archive"])
def versions_api(article_id: Id, session: Session = Depends(read_session)) -> list[dict[str, Any]]:
    """The article's versions, oldest first."""
    return article_data(session, article_id)["versions"]


@router.get("/api/articles/{article_id}/diff", tags=["archive"])
def diff_api(article_id: Id, old: int = Query(ge=1, le=10**9), new: int = Query(ge=1, le=10**9),
             session: Session = Depends(read_session)) -> dict[str, Any]:
    """What changed from version `old` to version `new`, as unified diff lines."""
    article_data(session, article_id)
    try:
        return {"article_id": article_id, "old": old, "new": new, "diff": version_diff(session, article_id, old, new)}
    except LookupError as exc:
        raise HTTPException(404, str(exc.args[0])) from None


def _side_by_side(session: Session, article_id: int, old: int, new: int) -> Markup:
    try:
        before, after = version_lines(session, article_id, old), version_lines(session, article_id, new)
    except LookupError as exc:
        raise HTTPException(404, str(exc.args[0])) from None
    # HtmlDiff escapes the text it puts in its table.
    table = difflib.HtmlDiff(wrapcolumn=48).make_table(before, after, f"version {old}", f"version {new}")
    return Markup(table)


def _capture(session: Session, capture_id: int) -> CaptureView:
    view = capture_view(session, capture_id)
    if view is None:
        raise HTTPException(404, f"no capture {capture_id} in the archive: an article page links to its captures")
    return view


@router.get("/captures/{capture_id}", response_class=HTMLResponse, include_in_schema=False)
def capture_page(request: Request, capture_id: Id, session: Session = Depends(read_session)) -> Response:
    return templates.TemplateResponse(request, "capture.html", {"c": _capture(session, capture_id)})


@router.get("/api/captures/{capture_id}", tags=["archive"])
def capture_api(capture_id: Id, session: Session = Depends(read_session)) -> dict[str, Any]:
    """A capture's HTTP exchange (headers, status, size, digest) and the article pages it holds."""
    view = _capture(session, capture_id)
    return {**{k: getattr(view, k) for k in view.__slots__ if k != "articles"},
            "articles": [{"id": a, "title": t, "version": v, "page": p} for a, t, v, p in view.articles],
            "raw": f"/captures/{capture_id}/raw", "warc": f"/captures/{capture_id}/record.warc.gz"}


@router.get("/captures/{capture_id}/raw", include_in_schema=False)
def capture_raw(capture_id: Id, session: Session = Depends(read_session)) -> Response:
    """The archived page, inert (see :mod:`web.replay`), under a sandboxing policy."""
    view = _capture(session, capture_id)
    headers = {"Content-Security-Policy": CAPTURE_CSP, "X-Content-Type-Options": "nosniff",
               "Cache-Control": "no-store"}
    kind = next((value for name, value in view.headers if name.lower() == "content-type"), "text/html")
    if kind.lower().startswith("image/"):
        return Response(capture_body(session, capture_id), media_type=kind.split(";")[0], headers=headers)
    text, _encoding = capture_text(session, view)

    def archived(urls: list[str]) -> dict[str, str]:
        return {url: f"/captures/{found}/raw" for url, found in archived_urls(session, urls).items()}

    return Response(neutralise(text, view.url, archived), media_type="text/html; charset=utf-8", headers=headers)


@router.get("/captures/{capture_id}/record.warc.gz", include_in_schema=False)
def capture_warc(capture_id: Id, session: Session = Depends(read_session)) -> Response:
    """The capture as WARC records (response or revisit, and request), as `export --format warc` writes them."""
    _capture(session, capture_id)
    stream = io.BytesIO()
    CaptureWarcWriter(stream, session).write([capture_id])
    return Response(stream.getvalue(), media_type="application/warc",
                    headers={"Content-Disposition": f'attachment; filename="capture-{capture_id}.warc.gz"'})


#: Pages per site, source, author and editor: their URL segment and the filter they preset.
ENTITIES = {"sites": "site", "sources": "source", "authors": "author", "editors": "editor"}


def _entity_routes(kind: str, field: str) -> None:
    """``/{kind}/{name}`` and ``/api/{kind}/{name}``: that entity's articles over time,
    i.e. a search with the filter preset (the search form's other filters still apply)."""

    def page(request: Request, name: str, params: SearchParams = Depends(),
             session: Session = Depends(read_session)) -> Response:
        result = run_search(session, params, **{field: name})
        return templates.TemplateResponse(request, "search.html", {"result": result, "entity": (field, name)})

    def api(name: str, params: SearchParams = Depends(), session: Session = Depends(read_session)) -> SearchOut:
        return run_search(session, params, **{field: name})

    router.add_api_route(f"/{kind}/{{name:path}}", page, response_class=HTMLResponse, include_in_schema=False)
    router.add_api_route(f"/api/{kind}/{{name:path}}", api, response_model=SearchOut, tags=["archive"],
                         summary=f"One {field}'s articles over time", name=f"{field}_api")


for _kind, _field in ENTITIES.items():
    _entity_routes(_kind, _field)

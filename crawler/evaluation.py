"""Score field extraction against a hand-labelled corpus.

The corpus is laid out as in ``/work/shared/corpus``: ``raw/<site>/*.html`` pages,
``expected/<site>/*.json`` labels (rules in its ``LABELING.md``) and an optional
``MANIFEST.tsv`` giving each page's URL. :func:`evaluate` runs an extractor over every
labelled article page and scores it field by field, so changes to the parsers can be
judged by numbers instead of by eye, and other extractors (see ``bench/``) can be scored
on exactly the same pages with exactly the same rules.

The scoring functions are small and pure so a benchmark can reuse them one by one.
"""

from __future__ import annotations

import csv
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

from crawler.items import Article, NotArticle
from crawler.parsing.encoding import decode_html

#: Text fields scored by exact match after whitespace folding.
EXACT_FIELDS = ("title", "pretitle", "subtitle", "original_title", "source")
#: List fields scored by set F1.
SET_FIELDS = ("authors", "editors", "breadcrumbs")
#: Every scored field, in the order reports show them.
SCORED_FIELDS = (*EXACT_FIELDS, "published_at", *SET_FIELDS, "body")
#: Label precisions and how many leading ISO characters (``YYYY-MM-DDTHH:MM:SS``) they keep.
_PRECISION_CHARS = {"day": 10, "minute": 16, "second": 19, None: 19}
#: Pages whose label gives no zone, and predictions without one, are read as Beijing time
#: (the schema's rule for ``published_at``).
_BEIJING = timezone(timedelta(hours=8))

#: What a tool predicted for one page: scored field name -> value. Missing keys count as
#: an empty prediction.
Prediction = Mapping[str, Any]
#: Our extractor's shape (``crawler.sites.registry.extract``): URL and raw bytes in.
PageExtractor = Callable[..., "Article | NotArticle"]
#: Another tool's adapter: decoded HTML and URL in, a :data:`Prediction` out.
TextExtractor = Callable[[str, str], Prediction]

#: Name of our extractor's column in reports.
OURS = "newsarchive"


class CorpusError(ValueError):
    """The corpus directory cannot be evaluated at all (missing, or not laid out as expected)."""


# --------------------------------------------------------------------------- scoring


def fold_whitespace(text: str | None) -> str:
    """Collapse whitespace runs (incl. full-width spaces) to one space and trim; ``None`` -> ``""``.

    Labels and extractors disagree about line breaks and indentation inside headlines,
    which a reader does not see, so those differences must not count as errors.
    """
    return " ".join((text or "").split())


def score_exact(pred: str | None, label: str | None) -> float:
    """1.0 when ``pred`` equals ``label`` after whitespace folding, else 0.0.

    ``None`` and ``""`` are the same (both mean "not on the page").
    """
    return 1.0 if fold_whitespace(pred) == fold_whitespace(label) else 0.0


def _parse_instant(iso: str) -> datetime:
    """Read an ISO 8601 date or datetime; naive values are taken as Beijing time."""
    value = datetime.fromisoformat(iso.strip())
    return value if value.tzinfo else value.replace(tzinfo=_BEIJING)


def score_date(pred_iso: str | None, label_iso: str | None, precision: str | None) -> float:
    """1.0 when the predicted time equals the labelled one at the label's precision.

    Both are read as instants (a prediction in UTC can match a ``+08:00`` label); the
    prediction is moved to the label's offset and both are cut to ``precision``
    (``"day"``, ``"minute"``, ``"second"``; ``None`` compares to the second). A label of
    ``None`` is matched only by an empty prediction; an unreadable prediction scores 0.
    Raises :class:`ValueError` on an unreadable label or unknown precision, since that is
    a labelling mistake to fix, not an extractor error.
    """
    if precision not in _PRECISION_CHARS:
        raise ValueError(f"unknown precision {precision!r}; use one of day, minute, second or null")
    if not label_iso:
        return 1.0 if not pred_iso else 0.0
    label = _parse_instant(label_iso)
    if not pred_iso:
        return 0.0
    try:
        pred = _parse_instant(pred_iso).astimezone(label.tzinfo)
    except ValueError:
        return 0.0
    keep = _PRECISION_CHARS[precision]
    return 1.0 if pred.isoformat()[:keep] == label.isoformat()[:keep] else 0.0


def _f1(overlap: int, n_pred: int, n_label: int) -> float:
    """Harmonic mean of precision and recall given the overlap size: 2·|P∩L| / (|P|+|L|)."""
    return 2 * overlap / (n_pred + n_label) if n_pred + n_label else 1.0


def set_f1(pred: Iterable[str] | None, label: Iterable[str] | None) -> float:
    """F1 between the sets of (whitespace-folded, non-empty) strings; both empty -> 1.0.

    Order and duplicates are ignored: a name credited twice is still one credit.
    """
    p = {fold_whitespace(s) for s in pred or ()} - {""}
    l = {fold_whitespace(s) for s in label or ()} - {""}  # noqa: E741 - l mirrors p
    return _f1(len(p & l), len(p), len(l))


def _bigrams(text: str) -> Counter[str]:
    return Counter(text[i : i + 2] for i in range(len(text) - 1))


def bigram_f1(pred: str | None, label: str | None) -> float:
    """F1 over the multisets of character bigrams, with all whitespace removed.

    Chinese has no word spaces, so bigrams are the usual token unit; dropping whitespace
    makes paragraph splitting irrelevant while missing or extra text still costs. Texts
    too short to have a bigram score 1.0 when identical, else 0.0.
    """
    p_text = "".join((pred or "").split())
    l_text = "".join((label or "").split())
    p, l = _bigrams(p_text), _bigrams(l_text)  # noqa: E741 - l mirrors p
    if not p or not l:
        return 1.0 if p_text == l_text else 0.0
    return _f1(sum((p & l).values()), sum(p.values()), sum(l.values()))


def set_counts(pred: Iterable[str] | None, label: Iterable[str] | None) -> tuple[int, int, int]:
    """``(right, predicted, labelled)`` name counts of one page, as :func:`set_f1` sees them.

    Summed over pages they give precision (right/predicted: how many names we gave are
    real) and recall (right/labelled) separately, which one F1 hides.
    """
    p = {fold_whitespace(s) for s in pred or ()} - {""}
    l = {fold_whitespace(s) for s in label or ()} - {""}  # noqa: E741 - l mirrors p
    return len(p & l), len(p), len(l)


def score_page(pred: Prediction, label: Mapping[str, Any]) -> dict[str, float]:
    """Score every field the (validated) label has against one prediction.

    A field absent from the label is not scored at all (benchmarks label only some
    fields); a field labelled ``null`` or ``[]`` is scored as "not on the page".
    """
    scores = {name: score_exact(pred.get(name), label[name]) for name in EXACT_FIELDS if name in label}
    if "published_at" in label:
        scores["published_at"] = score_date(
            pred.get("published_at"), label["published_at"], label.get("published_precision")
        )
    for name in SET_FIELDS:
        if name in label:
            scores[name] = set_f1(pred.get(name), label[name])
    if "body" in label:
        scores["body"] = bigram_f1(pred.get("body"), label["body"])
    return scores


def prediction_of(result: Article | NotArticle | Prediction | None) -> Prediction:
    """Any tool's output as a :data:`Prediction`: an :class:`Article`'s scored fields, a
    mapping as it is; a :class:`NotArticle` or ``None`` predicts nothing."""
    if isinstance(result, Article):
        return {name: getattr(result, name) for name in SCORED_FIELDS}
    return result if isinstance(result, Mapping) else {}


# --------------------------------------------------------------------------- corpus


@dataclass(frozen=True, slots=True)
class LabelledPage:
    """One article page of the corpus with its label."""

    file: str  # "raw/<site>/<name>.html", relative to the corpus root
    site: str  # the <site> directory name
    url: str
    body: bytes
    label: dict[str, Any]


@dataclass(slots=True)
class Corpus:
    """What :func:`load_corpus` found: the pages to score and what it had to leave out."""

    pages: list[LabelledPage] = field(default_factory=list)
    #: Raw pages with no article label (e.g. list pages), relative paths.
    unlabelled: list[str] = field(default_factory=list)
    #: Label files that could not be used: ``{"file": ..., "error": ...}``.
    bad_labels: list[dict[str, str]] = field(default_factory=list)


def _check_label(label: Any) -> None:
    """Raise :class:`ValueError` saying what is wrong with an article label.

    A label needs ``file`` and at least one scored field; the fields it leaves out are
    not scored (a benchmark's labels hold only the fields it labels). ``kind`` defaults
    to ``"article"``, ``published_precision`` to the second.
    """
    if not isinstance(label, dict):
        raise ValueError("not a JSON object")
    if "file" not in label or not any(name in label for name in SCORED_FIELDS):
        missing = [k for k in ("file", *SCORED_FIELDS) if k not in label]
        raise ValueError(f"missing keys: {', '.join(missing)}")
    if not isinstance(label["file"], str):
        raise ValueError("file must be the raw page's path, e.g. raw/<site>/<name>.html")
    for name in (*EXACT_FIELDS, "published_at", "body"):
        if label.get(name) is not None and not isinstance(label[name], str):
            raise ValueError(f"{name} must be a string or null")
    for name in SET_FIELDS:
        if name in label and (
            not isinstance(label[name], list) or not all(isinstance(s, str) for s in label[name])
        ):
            raise ValueError(f"{name} must be a list of strings")
    score_date(None, label.get("published_at"), label.get("published_precision"))  # raises if unreadable


def _read_manifest_urls(corpus_dir: Path) -> dict[str, str]:
    """``file -> page_url`` from MANIFEST.tsv (empty when there is no manifest)."""
    manifest = corpus_dir / "MANIFEST.tsv"
    if not manifest.is_file():
        return {}
    try:
        with manifest.open(encoding="utf-8", newline="") as fh:
            rows = csv.DictReader(fh, delimiter="\t")
            if not {"file", "page_url"} <= set(rows.fieldnames or ()):
                raise CorpusError(f"{manifest} lacks the 'file' and 'page_url' columns; fix its header line")
            return {row["file"]: row["page_url"] for row in rows if row.get("page_url")}
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CorpusError(f"cannot read {manifest} ({exc}); it must be UTF-8 tab-separated text") from exc


def load_corpus(corpus_dir: Path) -> Corpus:
    """Read every label under ``expected/`` and the raw page it names.

    Labels that cannot be used (bad JSON, missing keys, missing raw page) are listed in
    :attr:`Corpus.bad_labels` and skipped, so one typo does not stop an evaluation.
    Labels whose ``kind`` is not ``"article"`` are not scored. A page without a manifest
    URL gets ``http://<site>/<file name>`` so its host still names the site.
    """
    raw_dir, expected_dir = corpus_dir / "raw", corpus_dir / "expected"
    if not raw_dir.is_dir() or not expected_dir.is_dir():
        raise CorpusError(
            f"{corpus_dir} needs raw/ and expected/ sub-directories;"
            " point at a corpus laid out like /work/shared/corpus"
        )
    urls = _read_manifest_urls(corpus_dir)
    corpus = Corpus()
    used: set[str] = set()
    for label_path in sorted(expected_dir.rglob("*.json")):
        name = label_path.relative_to(corpus_dir).as_posix()
        try:
            label = json.loads(label_path.read_text(encoding="utf-8"))
            if isinstance(label, dict) and label.get("kind", "article") != "article":
                continue  # labelled, but not an article: nothing to score
            _check_label(label)
            file = PurePosixPath(label["file"])
            if len(file.parts) < 3 or file.parts[0] != "raw" or ".." in file.parts:
                raise ValueError(f"file {label['file']!r} is not of the form raw/<site>/<name>.html")
            raw_path = corpus_dir / file
            if not raw_path.is_file():
                raise ValueError(f"no raw page at {label['file']!r}")
        except (OSError, UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError is a ValueError
            corpus.bad_labels.append({"file": name, "error": str(exc)})
            continue
        site = file.parts[1]
        used.add(file.as_posix())
        url = urls.get(file.as_posix()) or f"http://{site}/{raw_path.name}"
        corpus.pages.append(LabelledPage(file.as_posix(), site, url, raw_path.read_bytes(), label))
    raw_files = (p.relative_to(corpus_dir).as_posix() for p in raw_dir.rglob("*") if p.is_file())
    corpus.unlabelled = sorted(f for f in raw_files if f not in used)
    return corpus


def decode_as(body: bytes, encoding: str | None) -> str:
    """Decode page bytes with ``encoding`` (the one our extractor used), else the way our
    extractor would (:func:`crawler.parsing.encoding.decode_html`).

    Other tools get the same text our extractor read, so encoding detection does not
    decide the comparison.
    """
    if encoding:
        try:
            return body.decode(encoding, errors="replace")
        except LookupError:
            pass
    return decode_html(body).text


# --------------------------------------------------------------------------- report


@dataclass(slots=True)
class PageScore:
    """One tool's scores on one page; ``error`` says why it predicted nothing, if so."""

    file: str
    site: str
    tool: str
    scores: dict[str, float]  # only the fields the page's label has
    error: str | None = None
    #: ``(right, predicted, labelled)`` per name-list field the label has (:func:`set_counts`).
    name_counts: dict[str, tuple[int, int, int]] = field(default_factory=dict)


@dataclass(slots=True)
class ToolSpeed:
    """Time spent inside one tool's extraction calls (one untimed warm-up call excluded)."""

    pages: int = 0
    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0

    @property
    def pages_per_second(self) -> float | None:
        return self.pages / self.wall_seconds if self.wall_seconds > 0 else None

    @property
    def pages_per_cpu_second(self) -> float | None:
        return self.pages / self.cpu_seconds if self.cpu_seconds > 0 else None


#: Name-list fields whose precision and recall are reported apart from their F1.
NAME_FIELDS = ("authors", "editors")
#: Prefix of :attr:`PageScore.error` for a page our extractor rejected as not an article.
REJECTED = "NotArticle: "


def _mean_scores(rows: list[PageScore]) -> dict[str, float | None]:
    """Per-field mean over the pages that label the field (``None`` when none does)."""
    means: dict[str, float | None] = {}
    for name in SCORED_FIELDS:
        values = [r.scores[name] for r in rows if name in r.scores]
        means[name] = sum(values) / len(values) if values else None
    return means


@dataclass(slots=True)
class EvalReport:
    """Every page score of every tool, plus speeds and what was skipped."""

    corpus_dir: str
    tools: list[str]
    page_scores: list[PageScore] = field(default_factory=list)
    speed: dict[str, ToolSpeed] = field(default_factory=dict)
    unlabelled: list[str] = field(default_factory=list)
    bad_labels: list[dict[str, str]] = field(default_factory=list)

    def sites(self) -> list[str]:
        return sorted({r.site for r in self.page_scores})

    def rows(self, tool: str, site: str | None = None) -> list[PageScore]:
        return [r for r in self.page_scores if r.tool == tool and site in (None, r.site)]

    def summary(self, tool: str, site: str | None = None) -> dict[str, float | None]:
        """Mean score per field for ``tool`` over all pages, or over one site's pages."""
        return _mean_scores(self.rows(tool, site))

    def errors(self, tool: str) -> int:
        return sum(1 for r in self.rows(tool) if r.error)

    def rejected(self, tool: str) -> list[PageScore]:
        """Pages ``tool`` judged not to be articles (every scored page is a labelled article)."""
        return [r for r in self.rows(tool) if (r.error or "").startswith(REJECTED)]

    def precision_recall(self, tool: str, name: str) -> tuple[float | None, float | None]:
        """Micro-averaged precision and recall of a name-list field over the pages labelling it:
        precision = right names / names given, recall = right names / labelled names
        (``None`` when there is nothing to divide by)."""
        counts = [r.name_counts[name] for r in self.rows(tool) if name in r.name_counts]
        right, given, labelled = (sum(c[i] for c in counts) for i in range(3))
        return (right / given if given else None, right / labelled if labelled else None)

    def to_dict(self) -> dict[str, Any]:
        """The full result, JSON-ready: summaries, per-site summaries, page scores, speeds."""
        return {
            "corpus_dir": self.corpus_dir,
            "tools": self.tools,
            "pages": len(self.rows(self.tools[0])) if self.tools else 0,
            "fields": list(SCORED_FIELDS),
            "all": {t: self.summary(t) for t in self.tools},
            "sites": {s: {t: self.summary(t, s) for t in self.tools} for s in self.sites()},
            "speed": {
                t: {
                    **asdict(sp),
                    "pages_per_second": sp.pages_per_second,
                    "pages_per_cpu_second": sp.pages_per_cpu_second,
                }
                for t, sp in self.speed.items()
            },
            "errors": {t: self.errors(t) for t in self.tools},
            "rejected": {t: [{"file": r.file, "reason": r.error} for r in self.rejected(t)] for t in self.tools},
            "precision_recall": {t: {n: self.precision_recall(t, n) for n in NAME_FIELDS} for t in self.tools},
            "page_scores": [asdict(r) for r in self.page_scores],
            "unlabelled": self.unlabelled,
            "bad_labels": self.bad_labels,
        }


def default_extractor() -> PageExtractor:
    """The production extractor, imported late so scoring works without it."""
    from crawler.sites.registry import extract

    return extract


def _timed(speed: ToolSpeed, call: Callable[[], Any]) -> Any:
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        return call()
    finally:
        speed.wall_seconds += time.perf_counter() - wall
        speed.cpu_seconds += time.process_time() - cpu
        speed.pages += 1


def evaluate(
    corpus_dir: Path | str,
    extractor: PageExtractor | None = None,
    *,
    compare: Mapping[str, TextExtractor] | None = None,
) -> EvalReport:
    """Run ``extractor`` (default: ``crawler.sites.registry.extract``) over every labelled
    article page of ``corpus_dir`` and score it; tools in ``compare`` (name -> adapter)
    are scored on the same pages, given the text decoded with our extractor's encoding.

    ``extractor`` is called as ``extractor(url, body)``, with no site hint and no declared
    encoding, like a crawl of a server that sends no charset. An exception or a
    :class:`NotArticle` verdict scores as an empty prediction and is recorded as the
    page's ``error``. Raises :class:`CorpusError` when the directory is unusable.
    """
    corpus_path = Path(corpus_dir)
    corpus = load_corpus(corpus_path)
    ours = extractor or default_extractor()
    others = dict(compare or {})
    report = EvalReport(
        corpus_dir=str(corpus_path),
        tools=[OURS, *others],
        speed={name: ToolSpeed() for name in (OURS, *others)},
        unlabelled=corpus.unlabelled,
        bad_labels=corpus.bad_labels,
    )
    if corpus.pages:  # warm-up: keep one-off imports and caches out of the timings
        _warm_up(corpus.pages[0], ours, others)
    for page in corpus.pages:
        result = _score_call(report, OURS, page, partial(ours, page.url, page.body))
        text = decode_as(page.body, result.encoding if isinstance(result, Article) else None)
        for name, tool in others.items():
            _score_call(report, name, page, partial(tool, text, page.url))
    return report


def _score_call(report: EvalReport, tool: str, page: LabelledPage, call: Callable[[], Any]) -> Any:
    """Time ``call``, score what it returned against the page's label, add the row to
    ``report`` and return the raw result. A crash or a :class:`NotArticle` verdict is an
    empty prediction with the reason in ``error``: one bad page must not stop the run."""
    result, error = None, None
    try:
        result = _timed(report.speed[tool], call)
    except Exception as exc:  # noqa: BLE001 - see docstring
        error = f"{type(exc).__name__}: {exc}"
    if isinstance(result, NotArticle):
        error = f"{REJECTED}{result.reason}"
    pred = prediction_of(result)
    scores = score_page(pred, page.label)
    counts = {n: set_counts(pred.get(n), page.label[n]) for n in NAME_FIELDS if n in page.label}
    report.page_scores.append(PageScore(page.file, page.site, tool, scores, error, counts))
    return result


def _warm_up(page: LabelledPage, ours: PageExtractor, others: Mapping[str, TextExtractor]) -> None:
    """Call every tool once, untimed and ignoring errors (the timed loop reports those)."""
    text = decode_as(page.body, None)
    calls: list[Callable[[], Any]] = [partial(ours, page.url, page.body)]
    calls += [partial(tool, text, page.url) for tool in others.values()]
    for call in calls:
        try:
            call()
        except Exception:  # noqa: BLE001,S110 - errors are scored in the timed run
            pass

"""Deterministic article text for the replica site.

Everything is drawn from a caller-supplied :class:`random.Random`, so one seed gives the
same articles byte for byte, and each article can get its own generator (the site seeds
one per article) so that changing one article never shifts the others. Text is built
from :mod:`crawler.replica.vocabulary`: an article picks a city, district, industry and
field of work, then fills many sentence shapes with them plus random names and figures,
which keeps any two articles far apart for near-duplicate detection.
"""

from __future__ import annotations

import functools
import random
import re
from dataclasses import dataclass, replace
from datetime import datetime

from crawler.replica import vocabulary as V


@dataclass(frozen=True, slots=True)
class Figure:
    """An image in the body; ``src`` is a site-relative path, ``caption`` as shown or None."""

    src: str
    caption: str | None


#: A body block: a text paragraph or an image.
Block = str | Figure


@dataclass(frozen=True, slots=True)
class ArticleContent:
    """What an article says, independent of how a template lays it out.

    ``author_line`` is a byline shown in its own box outside the body (``div.author``);
    bylines that readers see inside the text (a ``人民网…电（记者…）`` lead or a closing
    ``□ 本报记者 …`` line) are ordinary paragraphs in ``blocks``.
    """

    title: str
    pretitle: str | None
    subtitle: str | None
    original_title: str | None
    published: datetime
    source: str
    authors: tuple[str, ...]
    author_line: str | None
    editors: tuple[str, ...]
    blocks: tuple[Block, ...]

    def body_paragraphs(self) -> list[str]:
        """Paragraphs a reader sees in the body, captions included, in page order."""
        texts = (b if isinstance(b, str) else b.caption for b in self.blocks)
        return [t for t in texts if t]

    def figures(self) -> list[Figure]:
        return [b for b in self.blocks if isinstance(b, Figure)]


@dataclass(frozen=True, slots=True)
class _Scene:
    """The subject an article keeps returning to, so its sentences hang together."""

    city: str
    district: str
    industry: str
    topic: str
    terms: tuple[str, ...]


_SLOT = re.compile(r"\{(\w+)\}")


def person_name(rng: random.Random) -> str:
    """A two- or three-character Chinese name."""
    given = "".join(rng.choice(V.GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(V.SURNAMES) + given


def _pick_scene(rng: random.Random) -> _Scene:
    city, district = rng.choice(V.DISTRICTS)
    if rng.random() < 0.3:
        city = rng.choice(V.CITIES)
        district = next((d for c, d in V.DISTRICTS if c == city), district)
    topic, terms = rng.choice(V.TOPICS)
    return _Scene(city, district, rng.choice(V.INDUSTRIES), topic, terms)


#: Slots filled with any word of a list.
_CHOICES = {
    "organ": V.ORGANS,
    "enterprise": V.ENTERPRISES,
    "role": V.ROLES,
    "quote": V.QUOTES,
    "quote_plain": V.QUOTES_PLAIN,
    "scene": V.SCENES,
    "scene_short": V.SCENES_SHORT,
    "trend": V.TRENDS,
    "trend2": V.TRENDS2,
    "support": V.SUPPORTS,
    "action": V.ACTIONS,
}


def _slot_value(slot: str, rng: random.Random, scene: _Scene, when: datetime) -> str:
    """A value for one slot; scene slots mostly stay on the article's subject."""
    words = _CHOICES.get(slot)
    if words is not None:
        return rng.choice(words)
    match slot:
        case "place":
            return scene.city if rng.random() < 0.6 else scene.city + scene.district
        case "district":
            return scene.district
        case "industry":
            return scene.industry if rng.random() < 0.7 else rng.choice(V.INDUSTRIES)
        case "topic":
            return scene.topic
        case "term":
            return rng.choice(scene.terms if rng.random() < 0.75 else rng.choice(V.TOPICS)[1])
        case "name":
            return person_name(rng)
        case "month":
            return str(max(1, when.month - rng.choice((0, 0, 1))))
        case "day":
            return str(rng.randint(1, 28))
        case "n" | "n2":
            return str(rng.randint(3, 60))
        case "pct":
            return f"{rng.randint(2, 98)}.{rng.randint(0, 9)}" if rng.random() < 0.5 else str(rng.randint(3, 95))
        case "money":
            return f"{rng.randint(1, 900)}.{rng.randint(1, 99)}"
    raise KeyError(f"vocabulary shape uses unknown slot {{{slot}}}; add it to content._slot_value")


@functools.cache
def _parts(shape: str) -> tuple[str, ...]:
    """``shape`` split into literal text (even indices) and slot names (odd indices)."""
    return tuple(_SLOT.split(shape))


def _fill(shape: str, rng: random.Random, scene: _Scene, when: datetime) -> str:
    """Fill every ``{slot}`` of ``shape``, left to right."""
    parts = list(_parts(shape))
    for i in range(1, len(parts), 2):
        parts[i] = _slot_value(parts[i], rng, scene, when)
    return "".join(parts)


class _Deck:
    """Sentence shapes dealt without repeats: an article uses a random share of all
    shapes and repeats one only after using the rest, so articles differ in shape too."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.shapes = rng.sample(V.SENTENCES, len(V.SENTENCES) * 2 // 3)
        self.dealt: list[str] = []

    def deal(self) -> str:
        if not self.dealt:
            self.dealt = self.rng.sample(self.shapes, len(self.shapes))
        return self.dealt.pop()


def _paragraph(rng: random.Random, deck: _Deck, scene: _Scene, when: datetime) -> str:
    return "".join(_fill(deck.deal(), rng, scene, when) for _ in range(rng.randint(2, 4)))


def _names(rng: random.Random, count: int) -> tuple[str, ...]:
    """``count`` different names."""
    names: list[str] = []
    while len(names) < count:
        name = person_name(rng)
        if name not in names:
            names.append(name)
    return tuple(names)


def _byline(
    rng: random.Random, source: str, scene: _Scene, when: datetime, author_box: bool
) -> tuple[tuple[str, ...], str | None, str | None, str | None]:
    """Choose how writers are credited, as the real channel does in four ways.

    Returns (authors, author_line for ``div.author``, lead to prefix the first paragraph,
    tail paragraph closing the body); unused parts are None.
    """
    if source == V.OWN_SOURCE:
        authors = _names(rng, rng.randint(1, 2))
        lead = f"人民网{scene.city}{when.month}月{when.day}日电（记者{'、'.join(authors)}）"
        return authors, None, lead, None
    style = rng.choice(("box", "tail", "tail_pair", "none") if author_box else ("tail", "tail_pair", "none"))
    if style == "none":
        return (), None, None, None
    if style == "tail_pair":
        authors = (person_name(rng), person_name(rng))
        return authors, None, None, f"本报记者 {authors[0]}  通讯员 {authors[1]}"
    authors = _names(rng, rng.randint(1, 2))
    if style == "box":
        return authors, "本报记者 " + " ".join(authors), None, None
    return authors, None, None, "□ 本报记者 " + " ".join(authors)


def _figure(rng: random.Random, scene: _Scene, when: datetime) -> Figure:
    src = f"/NMediaFile/{when:%Y/%m%d}/MAIN{when:%Y%m%d%H%M}{rng.randrange(10**9):09d}.png"
    if rng.random() < 0.2:
        return Figure(src, None)
    caption = _fill(rng.choice(V.CAPTIONS), rng, scene, when)
    if rng.random() < 0.4:
        caption += f"{person_name(rng)} 摄"
    return Figure(src, caption)


def headline(rng: random.Random, when: datetime) -> str:
    """A headline about a freshly picked scene (used for titles and 原标题)."""
    return _fill(rng.choice(V.HEADLINES), rng, _pick_scene(rng), when)


def generate_article(
    rng: random.Random,
    published: datetime,
    *,
    min_chars: int = 300,
    max_chars: int = 1500,
    author_box: bool = True,
) -> ArticleContent:
    """Generate one article whose body text is between ``min_chars`` and about ``max_chars``.

    ``author_box=False`` keeps the byline inside the body, for templates that have no
    ``div.author`` box (the older people.com.cn template).
    """
    scene = _pick_scene(rng)
    source = rng.choice(V.SOURCES)
    authors, author_line, lead, tail = _byline(rng, source, scene, published, author_box)
    target = rng.randint(min_chars, max_chars)
    deck = _Deck(rng)
    paragraphs = [_paragraph(rng, deck, scene, published)]
    if lead:
        paragraphs[0] = lead + paragraphs[0]
    while sum(map(len, paragraphs)) < target:
        paragraphs.append(_paragraph(rng, deck, scene, published))
    if sum(map(len, paragraphs)) > max_chars and sum(map(len, paragraphs[:-1])) >= min_chars:
        paragraphs.pop()
    blocks: list[Block] = list(paragraphs)
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        blocks.insert(rng.randint(1, len(blocks)), _figure(rng, scene, published))
    if tail:
        blocks.append(tail)
    return ArticleContent(
        title=_fill(rng.choice(V.HEADLINES), rng, scene, published),
        pretitle=rng.choice(V.KICKERS) if rng.random() < 0.3 else None,
        subtitle=_fill(rng.choice(V.SUBTITLES), rng, scene, published) if rng.random() < 0.25 else None,
        original_title=headline(rng, published) if rng.random() < 0.2 else None,
        published=published,
        source=source,
        authors=authors,
        author_line=author_line,
        editors=_names(rng, rng.choice((1, 2, 2, 2, 3))),
        blocks=tuple(blocks),
    )


@functools.cache
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def to_traditional(text: str) -> str:
    """OpenCC ``s2t`` conversion (the mirror site's script)."""
    return _s2t().convert(text)


def traditional_content(content: ArticleContent) -> ArticleContent:
    """The same article in Traditional script, every text field converted on its own."""

    def opt(text: str | None) -> str | None:
        return None if text is None else to_traditional(text)

    blocks = tuple(
        to_traditional(b) if isinstance(b, str) else Figure(b.src, opt(b.caption)) for b in content.blocks
    )
    return replace(
        content,
        title=to_traditional(content.title),
        pretitle=opt(content.pretitle),
        subtitle=opt(content.subtitle),
        original_title=opt(content.original_title),
        source=to_traditional(content.source),
        authors=tuple(map(to_traditional, content.authors)),
        author_line=opt(content.author_line),
        editors=tuple(map(to_traditional, content.editors)),
        blocks=blocks,
    )

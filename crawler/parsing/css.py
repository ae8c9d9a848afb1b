"""Site-template CSS selectors, matched against an index of the page built in one walk.

lxml's ``CSSSelector`` runs an XPath that scans the whole tree and applies string
functions to every ``class`` attribute, and each call pays tens of microseconds of
set-up; a template asks ten of them per page, which cost more than parsing the page.
Templates only use tags, classes, ids and the descendant combinator, so a selector is
matched here from its last step: candidates come from :class:`ElementIndex` (ids and
class names, collected in the one walk the page does anyway) or from lxml's C-level
tag filter, and their ancestors are checked for the earlier steps. Results are in
document order, as ``CSSSelector`` gives them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import cssselect
from cssselect.parser import Class, CombinedSelector, Element, Hash
from lxml import etree


class ElementIndex:
    """Every element with a class or id, with that text, in document order; looked up by id or class name.

    The walk is shared with the generic reading (its class/id marks), and the lookup
    tables are only built when a selector first needs them.
    """

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self._tagged: dict[str | None, list[etree._Element]] = {}
        self._by_id: dict[str, list[etree._Element]] = {}
        self._by_class: dict[str, list[etree._Element]] = {}
        self._ids: dict[etree._Element, str | None] = {}
        self._names: dict[etree._Element, list[str]] = {}
        self._read = False
        #: ``(element, "class id")`` for every element with a class or id, in document order.
        self.attributed: list[tuple[etree._Element, str]] = []
        for element in root.iter(etree.Element):  # elements only: no comments or processing instructions
            classes = element.get("class")
            ident = element.get("id")
            if classes is not None or ident is not None:
                self.attributed.append((element, f"{classes or ''} {ident or ''}"))

    def tagged(self, tag: str | None) -> list[etree._Element]:
        """Elements named ``tag`` (any element for ``None``), in document order; each list is made once."""
        if tag not in self._tagged:
            self._tagged[tag] = list(self.root.iter(tag if tag is not None else etree.Element))
        return self._tagged[tag]

    @property
    def by_id(self) -> dict[str, list[etree._Element]]:
        self._read_attributes()
        return self._by_id

    @property
    def by_class(self) -> dict[str, list[etree._Element]]:
        self._read_attributes()
        return self._by_class

    def attributes(self) -> tuple[dict[etree._Element, str | None], dict[etree._Element, list[str]]]:
        """Each element's id and class names, for elements that have either (others have neither).

        Keyed by element: lxml hands out the same object for a node while one is alive, and
        :attr:`attributed` keeps these alive.
        """
        self._read_attributes()
        return self._ids, self._names

    def _read_attributes(self) -> None:
        """Build the lookup tables and :meth:`attributes` in one pass, on first use: selectors test
        the same ancestors over and over, and reading an attribute from lxml costs more than a
        dictionary lookup."""
        if self._read:
            return
        self._read = True
        for element, _ in self.attributed:
            ident = self._ids[element] = element.get("id")
            if ident is not None:
                self._by_id.setdefault(ident, []).append(element)
            names = self._names[element] = (element.get("class") or "").split()
            for name in set(names):
                self._by_class.setdefault(name, []).append(element)


@dataclass(frozen=True, slots=True)
class _Step:
    """One compound selector: ``div.a.b#c`` (``tag`` ``None`` for any element)."""

    tag: str | None
    ident: str | None
    classes: tuple[str, ...]

    def matches(self, element: etree._Element, ids: dict[etree._Element, str | None],
                names: dict[etree._Element, list[str]]) -> bool:
        """Whether ``element`` is this step, its id and class names looked up in :meth:`ElementIndex.attributes`."""
        if self.tag is not None and element.tag != self.tag:
            return False
        if self.ident is not None and ids.get(element) != self.ident:
            return False
        if self.classes:
            own = names.get(element, ())
            return all(name in own for name in self.classes)
        return True

    def candidates(self, index: ElementIndex) -> Iterable[etree._Element]:
        """Elements that may match, in document order, from the narrowest source available."""
        if self.ident is not None:
            return index.by_id.get(self.ident, ())
        if self.classes:
            return index.by_class.get(self.classes[0], ())
        return index.tagged(self.tag)


class Selector:
    """A comma-separated group of descendant selectors (``"div.rm_txt h1, h1#newstit"``).

    Raises :class:`ValueError` at construction for anything else (``>``, attributes,
    pseudo-classes): write such a template with lxml's ``CSSSelector`` instead.
    """

    def __init__(self, css: str) -> None:
        self.css = css
        self.alternatives = [_steps(parsed.parsed_tree, css) for parsed in cssselect.parse(css)]

    def each_alternative(self, index: ElementIndex) -> Iterator[Iterator[etree._Element]]:
        """Per alternative, in the order written, its matches in document order (for templates
        that try their layouts in turn)."""
        return (self._matches(steps, index) for steps in self.alternatives)

    def first(self, index: ElementIndex) -> etree._Element | None:
        """The first matching element in document order, whichever alternative matches it, or ``None``."""
        firsts = [found for matches in self.each_alternative(index) if (found := next(matches, None)) is not None]
        firsts = list(dict.fromkeys(firsts))  # alternatives often find the same element: no order to work out
        if len(firsts) < 2:
            return firsts[0] if firsts else None
        return min(firsts, key=_document_position)

    @staticmethod
    def _matches(steps: tuple[_Step, ...], index: ElementIndex) -> Iterator[etree._Element]:
        last, ancestors = steps[-1], steps[:-1]
        ids, names = index.attributes()
        for element in last.candidates(index):
            if last.matches(element, ids, names) and _has_ancestors(element, ancestors, ids, names):
                yield element


def _has_ancestors(element: etree._Element, steps: tuple[_Step, ...], ids: dict[etree._Element, str | None],
                   names: dict[etree._Element, list[str]]) -> bool:
    """Whether ancestors of ``element`` match ``steps`` right to left (taking the nearest match first
    is exact for descendant combinators)."""
    remaining = len(steps)
    node = element.getparent()
    while remaining and node is not None:
        if steps[remaining - 1].matches(node, ids, names):
            remaining -= 1
        node = node.getparent()
    return remaining == 0


def _document_position(element: etree._Element) -> tuple[int, ...]:
    """Sibling indexes from the root down: sorts elements into document order."""
    path = []
    node, parent = element, element.getparent()
    while parent is not None:
        path.append(parent.index(node))
        node, parent = parent, parent.getparent()
    return tuple(reversed(path))


def _steps(tree: object, css: str) -> tuple[_Step, ...]:
    if isinstance(tree, CombinedSelector):
        if tree.combinator != " ":
            raise ValueError(f"selector {css!r}: only descendant combinators (spaces) are supported, not {tree.combinator!r}")
        return (*_steps(tree.selector, css), *_steps(tree.subselector, css))
    return (_compound(tree, css),)


def _compound(tree: object, css: str) -> _Step:
    ident, classes = None, []
    while not isinstance(tree, Element):
        if isinstance(tree, Hash):
            ident = tree.id
        elif isinstance(tree, Class):
            classes.insert(0, tree.class_name)
        else:
            raise ValueError(f"selector {css!r}: only tags, .classes and #ids are supported, not {tree!r}")
        tree = tree.selector
    tag = tree.element if tree.element not in (None, "*") else None
    return _Step(tag=tag, ident=ident, classes=tuple(classes))

"""A site template as a table of CSS selectors, with the generic reading as fallback.

Most site templates know *where* a field sits (``h1#title``, ``span.editor``) and
nothing more: how to read a date or a byline out of that text is the same everywhere
(:mod:`crawler.parsing`). :class:`SelectorPage` gives such templates a selector table
and the lookups, so each template file only lists its selectors and overrides the few
fields its markup shows differently. A selector that finds nothing falls back to the
generic answer, so a layout change degrades a field instead of losing it.
"""

from __future__ import annotations

from typing import ClassVar

from lxml import etree

from crawler.parsing.css import Selector
from crawler.parsing.text import is_hidden
from crawler.sites.generic import GenericArticlePage, element_text, remembered, remembered_property


class SelectorPage(GenericArticlePage):
    """Generic page whose headline and body containers come from ``SELECTORS`` when they match.

    ``SELECTORS`` maps a part name to comma-separated CSS selectors tried in the order
    written (current layout first, so an outer container of an older layout never wins
    over the precise one). The parts ``headline`` and ``body`` replace the generic
    guesses for the title and body containers.
    """

    SELECTORS: ClassVar[dict[str, str]] = {}
    _compiled: ClassVar[dict[str, Selector]]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls._compiled = {part: Selector(css) for part, css in cls.SELECTORS.items()}

    @remembered
    def first(self, part: str) -> etree._Element | None:
        """The first visible element of the first selector of ``part`` that finds one, or ``None``."""
        for matches in self._compiled[part].each_alternative(self.index):
            for element in matches:
                if not _hidden_here(element, self.hidden):
                    return element
        return None

    @remembered
    def text_of(self, part: str) -> str | None:
        """Visible text of the first element of ``part``; ``None`` when absent or empty."""
        element = self.first(part)
        return (element_text(element) or None) if element is not None else None

    @remembered_property
    def title_element(self) -> etree._Element | None:
        found = self.first("headline") if "headline" in self._compiled else None
        return found if found is not None else GenericArticlePage.title_element.func(self)

    @remembered_property
    def body_element(self) -> etree._Element | None:
        found = self.first("body") if "body" in self._compiled else None
        return found if found is not None else GenericArticlePage.body_element.func(self)


def _hidden_here(element: etree._Element, hidden: frozenset[str]) -> bool:
    """Whether ``element`` or an ancestor is hidden (mobile copies of the headline, say)."""
    node: etree._Element | None = element
    while node is not None:
        if is_hidden(node, hidden):
            return True
        node = node.getparent()
    return False

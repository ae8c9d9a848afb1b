"""One URL canonicalisation for the whole project: every variant of an article's URL maps here.

Tracking parameters, fragments, scheme and host case, default ports and the page
suffix of multi-page articles (``…-2.html``) are not part of an article's identity.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

#: Query parameters that only track where a reader came from.
TRACKING_PARAMETERS = re.compile(
    r"^(utm_\w+|spm|from|fromid|share\w*|isappinstalled|wxfrom|scene|clicktime|enterid|"
    r"source|src|ref|refer|f|tt_from|timestamp|_t|t)$",
    re.IGNORECASE,
)

#: Page-number suffixes of multi-page articles: people.com.cn ``c1-2.html``,
#: xinhuanet ``c_1125327450_2.htm``, the ``index_2.html`` form, e-paper ``content_N_2.html``.
PAGE_SUFFIX = re.compile(r"(?P<stem>/n[12]/\d{4}/\d{4}/c\d+-\d+|c_\d+|content_\d+)[-_](?P<page>\d{1,3})(?P<ext>\.s?html?)$")


def canonicalize(url: str) -> str:
    """The identity form of ``url``: https, lower-case host, no tracking or fragment, page 1."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not TRACKING_PARAMETERS.match(k)])
    path = PAGE_SUFFIX.sub(lambda m: m["stem"] + m["ext"], parts.path or "/")
    return canonicalize_url(urlunsplit(("https", host, path, query, "")))

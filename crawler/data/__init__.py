"""Site knowledge kept as data: channel and paper tables read with importlib.resources."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def site_table(filename: str) -> dict[str, Any]:
    """A table of this package (``people_channels.json`` …) without its ``_comment``-style keys.

    Cached: spiders ask for it on every construction, and the file never changes while running.
    """
    text = resources.files(__name__).joinpath(filename).read_text("utf-8")
    return {key: value for key, value in json.loads(text).items() if not key.startswith("_")}

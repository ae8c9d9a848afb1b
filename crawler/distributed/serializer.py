"""JSON serialiser for requests kept in Redis (``SCHEDULER_SERIALIZER``).

scrapy-redis pickles requests by default, so anyone who can write to the Redis server
can make every worker run code of their choosing. This module is what the workers use
instead: plain JSON, read with :func:`json.loads` only. It takes the dict of
``request.to_dict(spider=...)`` (callbacks become spider method names) and gives it back
for ``scrapy.utils.request.request_from_dict``.

JSON has no bytes and only string keys, and a request dict has both (body, headers), so
two tagged forms are used: ``{"$bytes": "<base64>"}`` and ``{"$pairs": [[key, value], …]}``
for a dict with non-string keys. Anything else that JSON cannot hold (a datetime, an
object in ``meta``) is refused when the request is pushed, so the spider's author sees
the mistake at once instead of a worker failing on it later.
"""

from __future__ import annotations

import base64
import json
from typing import Any

BYTES_TAG = "$bytes"
PAIRS_TAG = "$pairs"
#: First byte of every pickle of protocol 2 or later; named in the refusal message.
PICKLE_MARK = 0x80


class UnsafePayload(ValueError):
    """A Redis entry that is not one of our JSON requests (a pickle, say): never executed."""


def dumps(obj: dict[str, Any]) -> str:
    """Encode a request dict as JSON; ``TypeError`` names the value JSON cannot hold."""
    return json.dumps(_encode(obj, "request"), ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def loads(data: bytes | str) -> dict[str, Any]:
    """Decode a request dict written by :func:`dumps`; refuse anything else without running it."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if raw[:1] == bytes([PICKLE_MARK]):
        raise UnsafePayload(
            "refusing a pickled request found in Redis: workers only read JSON requests. "
            "Someone pushed it with scrapy-redis' default pickle serialiser; clear the frontier "
            "(newsarchive seed --reset) and seed it again with `newsarchive seed`"
        )
    try:
        obj = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnsafePayload(f"a Redis request entry is not JSON ({exc}); it was not pushed by newsarchive") from exc
    if not isinstance(obj, dict) or not isinstance(obj.get("url"), str):
        raise UnsafePayload("a Redis request entry is JSON but not a request (no 'url'); it was not pushed by newsarchive")
    return _decode(obj)


def _encode(value: Any, where: str) -> Any:
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (bytes, bytearray)):
        return {BYTES_TAG: base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, (list, tuple)):
        return [_encode(item, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value) and not ({BYTES_TAG, PAIRS_TAG} & value.keys()):
            return {key: _encode(item, f"{where}.{key}") for key, item in value.items()}
        return {PAIRS_TAG: [[_encode(k, where), _encode(v, f"{where}[{k!r}]")] for k, v in value.items()]}
    raise TypeError(
        f"{where} holds a {type(value).__name__} ({value!r:.80}), which a distributed crawl cannot "
        "store in Redis: keep request meta and cb_kwargs to str, int, float, bool, None, bytes, "
        "lists and dicts (e.g. item.to_dict() instead of the item)"
    )


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if isinstance(value, dict):
        if value.keys() == {BYTES_TAG}:
            return base64.b64decode(value[BYTES_TAG])
        if value.keys() == {PAIRS_TAG}:
            return {_decode(k): _decode(v) for k, v in value[PAIRS_TAG]}
        return {key: _decode(item) for key, item in value.items()}
    return value

"""Operator login: one shared password kept only as an scrypt hash, a signed session
cookie, and a CSRF token for every state-changing form; API clients may send the
password as a bearer token instead (``Authorization: Bearer PASSWORD``), which needs no
CSRF token since a browser never adds that header to a request another site makes.

Wrong passwords are throttled per client address (:class:`LoginThrottle`), in this
process's memory: a restart forgets them, and behind a reverse proxy every client is
the proxy's address, so the limit then applies to all clients together.

The password file (``newsarchive serve --operator-password-file FILE``) holds either a
hash made by ``newsarchive serve --hash-password`` (``scrypt$…``, recommended: the
password itself is then on no disk) or the password itself, which is hashed as soon as
it is read; the server never keeps the plain password.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import secrets
import stat
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from pathlib import Path

from starlette.requests import Request

#: scrypt cost (2^14, r=8, p=1: ~16 MB and ~50 ms per check, OWASP's minimum).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_PREFIX = "scrypt"
#: Session keys.
OPERATOR_KEY = "operator"
CSRF_KEY = "csrf"
#: Header carrying the session's CSRF token on JSON requests (forms carry a ``csrf`` field).
CSRF_HEADER = "X-CSRF-Token"
#: Wrong passwords a client may send within :data:`LOGIN_WINDOW` seconds before it must wait.
LOGIN_ATTEMPTS, LOGIN_WINDOW = 5, 300.0


class PasswordFileError(ValueError):
    """The operator password file cannot be used; the message says how to fix it."""


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64) for ``password``."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    encode = lambda raw: base64.b64encode(raw).decode()  # noqa: E731 - two uses on one line
    return f"{_PREFIX}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${encode(salt)}${encode(digest)}"


def verify_password(password: str, encoded: str) -> bool:
    """Whether ``password`` matches the hash (constant-time comparison)."""
    try:
        prefix, n, r, p, salt, digest = encoded.split("$")
        expected = base64.b64decode(digest)
        found = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                               dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return prefix == _PREFIX and hmac.compare_digest(found, expected)


def load_password_file(path: Path) -> tuple[str, list[str]]:
    """The hash the file holds (or of the password it holds) and warnings for the operator."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise PasswordFileError(f"cannot read the operator password file {path} ({exc.strerror}): "
                                "create it, e.g. with `newsarchive serve --hash-password > FILE`") from None
    if not text:
        raise PasswordFileError(f"the operator password file {path} is empty: put a password or a hash in it")
    warnings = []
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        warnings.append(f"the operator password file {path} is readable by other users: chmod 600 {path}")
    if text.startswith(_PREFIX + "$"):
        if len(text.split("$")) != 6:
            raise PasswordFileError(f"{path} starts like a hash but is not one: make a new one with "
                                    "`newsarchive serve --hash-password`")
        return text, warnings
    warnings.append(f"{path} holds the password itself; store its hash instead (`newsarchive serve --hash-password`)")
    return hash_password(text), warnings


def is_operator(request: Request) -> bool:
    return bool(request.session.get(OPERATOR_KEY))


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use (forms carry it in a hidden field)."""
    token = request.session.get(CSRF_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_KEY] = token
    return token


def csrf_ok(request: Request, submitted: str | None) -> bool:
    expected = request.session.get(CSRF_KEY)
    return bool(expected and submitted) and hmac.compare_digest(str(expected), str(submitted))


class LoginThrottle:
    """At most ``attempts`` wrong passwords per client within ``window`` seconds; then
    that client is refused (before its password is even hashed) until the oldest of
    them is ``window`` old. A right password clears the client's record. At most
    ``clients`` addresses are remembered (the longest-quiet are forgotten first), so a
    flood of addresses cannot grow memory without bound."""

    def __init__(self, attempts: int = LOGIN_ATTEMPTS, window: float = LOGIN_WINDOW, clients: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.attempts, self.window, self.clients, self.clock = attempts, window, clients, clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> int:
        """Seconds ``client`` must wait before trying a password again (0: it may try now)."""
        with self._lock:
            failures = self._recent(self._failures.get(client, deque()))
            if len(failures) < self.attempts:
                return 0
            return max(1, math.ceil(failures[0] + self.window - self.clock()))

    def failed(self, client: str) -> None:
        with self._lock:
            self._recent(self._failures.setdefault(client, deque())).append(self.clock())
            self._failures.move_to_end(client)
            while len(self._failures) > self.clients:
                self._failures.popitem(last=False)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)

    def _recent(self, failures: deque[float]) -> deque[float]:
        """``failures`` without those older than the window."""
        while failures and failures[0] <= self.clock() - self.window:
            failures.popleft()
        return failures

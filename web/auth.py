"""Operator login: one shared password kept only as an scrypt hash, a signed session
cookie, and a CSRF token for every state-changing form.

The password file (``newsarchive serve --operator-password-file FILE``) holds either a
hash made by ``newsarchive serve --hash-password`` (``scrypt$…``, recommended: the
password itself is then on no disk) or the password itself, which is hashed as soon as
it is read; the server never keeps the plain password.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import stat
from pathlib import Path

from starlette.requests import Request

#: scrypt cost (2^14, r=8, p=1: ~16 MB and ~50 ms per check, OWASP's minimum).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_PREFIX = "scrypt"
#: Session keys.
OPERATOR_KEY = "operator"
CSRF_KEY = "csrf"


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

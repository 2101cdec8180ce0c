"""Account rules: what makes a password acceptable, an e-mail canonical, a name valid."""

import gzip
import re
from functools import lru_cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

DATA = Path(__file__).parent / "data"

PASSWORD_TOO_SHORT = _l("Choose a password of at least %(min)d characters.")
PASSWORD_TOO_LONG = _l("Choose a password of at most %(max)d characters.")
PASSWORD_TOO_COMMON = _l(
    "This password is among the most common ones and would be guessed quickly. Choose another: "
    "a few unrelated words make a long password that is easy to remember."
)
PASSWORD_PERSONAL = _l("Your password must not contain your e-mail address or your name.")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    with gzip.open(DATA / "common-passwords.txt.gz", "rt", encoding="utf-8") as handle:
        words = {line.strip().lower() for line in handle if line.strip()}
    french = (DATA / "common-passwords-fr.txt").read_text(encoding="utf-8")
    words.update(line.strip().lower() for line in french.splitlines() if line.strip())
    return frozenset(words)


_DECORATION = re.compile(r"^[\W\d_]+|[\W\d_]+$")


def is_common_password(password: str) -> bool:
    """True for a listed password, also when merely wrapped in digits or symbols
    ("Azertyuiop2024!") or one short listed word repeated ("soleilsoleilsoleil")."""
    lowered = password.lower()
    words = common_passwords()
    if lowered in words:
        return True
    core = _DECORATION.sub("", lowered)
    if core in words or not core:
        return True
    for size in range(1, len(core) // 2 + 1):
        if len(core) % size == 0 and core[:size] * (len(core) // size) == core:
            return True
    return False


def password_problem(
    password: str, *, min_length: int, max_length: int, email: str = "", name: str = ""
):
    """The reason `password` is refused, or None: length only, no composition rules (NIST)."""
    if len(password) < min_length:
        return PASSWORD_TOO_SHORT % {"min": min_length}
    if len(password) > max_length:
        return PASSWORD_TOO_LONG % {"max": max_length}
    if is_common_password(password):
        return PASSWORD_TOO_COMMON
    lowered = password.lower()
    local_part = email.split("@", 1)[0].lower()
    if (len(local_part) >= 4 and local_part in lowered) or (
        len(name) >= 4 and name.lower() in lowered
    ):
        return PASSWORD_PERSONAL
    return None


def normalise_email(email: str) -> str:
    """The form stored and compared: trimmed, lower-cased (providers treat case alike)."""
    return email.strip().lower()

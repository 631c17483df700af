"""The password policy of NIST SP 800-63B (5.1.1.2): length, not guessable, no composition rules.

:func:`check` is the one gate every place that sets a password goes through (the
``create-user`` command, an admin creating an account, a user changing their password).
It refuses passwords shorter than :data:`MIN_LENGTH`, common or guessable ones (the
shipped ``seed_data/common_passwords.txt``, keyboard and number runs, one character or
one piece repeated) and ones built from the account's e-mail, the person's name or the
current password. It asks for nothing else: no mandatory digits or symbols.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 200
COMMON_FILE = Path(__file__).resolve().parents[2] / "seed_data" / "common_passwords.txt"
#: rows of keys and runs of digits and letters; a password inside one (either way) is refused
RUNS = ("01234567890", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm",
        "qwertzuiopasdfghjklyxcvbnm", "azertyuiopqsdfghjklmwxcvbn", "1qaz2wsx3edc4rfv5tgb6yhn",
        "zaq1xsw2cde3vfr4bgt5")
LEET = str.maketrans({"4": "a", "@": "a", "3": "e", "1": "i", "!": "i", "0": "o", "5": "s",
                      "$": "s", "7": "t", "+": "t", "8": "b", "9": "g"})
#: shortest piece of the e-mail or name that the password may not contain
MIN_PERSONAL = 3


class WeakPassword(ValueError):
    """The password breaks the policy; ``reason`` is one of ``short``, ``long``, ``common``,
    ``personal``, ``current`` (the web layer words it for users, the CLI prints ``str``)."""

    TEXT = {
        "short": f"the password needs at least {MIN_LENGTH} characters",
        "long": f"the password can have at most {MAX_LENGTH} characters",
        "common": "the password is too common or easy to guess",
        "personal": "the password must not contain the e-mail address or the person's name",
        "current": "the new password must differ from the current one",
    }

    def __init__(self, reason: str):
        super().__init__(self.TEXT[reason])
        self.reason = reason


def _common() -> frozenset[str]:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(ln.strip() for ln in lines if ln.strip() and not ln.startswith("#"))


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def _ascii_letters(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", plain.lower())


def _core(text: str) -> str:
    """The word inside extra digits and symbols: ``!!ciaociao1234`` -> ``ciaociao``."""
    return re.sub(r"^[\W\d_]+|[\W\d_]+$", "", text)


def _repeats(text: str) -> str | None:
    """The piece that ``text`` repeats (``abcabcabc`` -> ``abc``), or None."""
    match = re.fullmatch(r"(.+?)\1+", text)
    return match.group(1) if match else None


def _in_run(text: str) -> bool:
    for run in RUNS:
        loop = run * 2
        if text in loop or text in loop[::-1]:
            return True
    return False


def _without_runs(text: str) -> str:
    """``text`` without its stretches of four or more keys or digits in a row."""
    out, i = [], 0
    while i < len(text):
        j = i + 4
        if j <= len(text) and _in_run(text[i:j]):
            while j < len(text) and _in_run(text[i:j + 1]):
                j += 1
            i = j
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def is_guessable(password: str) -> bool:
    """True for common passwords and their usual dressings, runs and repetitions."""
    p = _norm(password)
    if len(set(p)) <= 3 or _repeats(p) or len(_without_runs(p)) < 4:
        return True
    common = _common()
    candidates = {p, _core(p), p.translate(LEET), _core(p).translate(LEET),
                  _core(p.translate(LEET)), _ascii_letters(p), _ascii_letters(_core(p))}
    candidates.discard("")
    for c in list(candidates):
        piece = _repeats(c)
        if piece:
            candidates.add(piece)
    return any(c in common or _in_run(c) for c in candidates if len(c) >= 3)


def _personal_pieces(email: str | None, names) -> set[str]:
    pieces = set()
    if email:
        local = _norm(email).partition("@")[0]
        pieces.add(local)
        pieces.update(re.split(r"[._+\-]+", local))
    for name in names:
        if name:
            pieces.add(_norm(name))
            pieces.update(_norm(name).split())
    return {p for p in pieces if len(p) >= MIN_PERSONAL}


def check(password: str, *, email: str | None = None, names=(), current_hash_ok=None) -> None:
    """Raise :class:`WeakPassword` unless ``password`` meets the policy.

    ``email`` and ``names`` (first and last name) are the account's context;
    ``current_hash_ok`` is a callable telling whether a password is the current one.
    """
    if len(password) < MIN_LENGTH:
        raise WeakPassword("short")
    if len(password) > MAX_LENGTH:
        raise WeakPassword("long")
    if current_hash_ok is not None and current_hash_ok(password):
        raise WeakPassword("current")
    p = _norm(password)
    squeezed = _ascii_letters(p)
    for piece in _personal_pieces(email, names):
        if piece in p or (_ascii_letters(piece) and _ascii_letters(piece) in squeezed):
            raise WeakPassword("personal")
    if is_guessable(password):
        raise WeakPassword("common")

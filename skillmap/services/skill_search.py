"""Finding a skill of the taxonomy by name, in Italian or English, or by alias.

Tolerant of accents, case and small typos: names are folded to plain ASCII
(``unicodedata``) and compared word by word with :mod:`difflib`, so
"comunicazone" finds "Comunicazione" and "perche" finds "perché". The index
of one organisation's taxonomy is kept in the versioned cache
(:mod:`skillmap.services.versions`): every process rebuilds it as soon as the
data version moves, so a skill added or renamed anywhere is found everywhere.
"""
from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import Skill
from skillmap.services import versions

MAX_QUERY = 100


_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case, accents removed, punctuation turned into spaces.

    Cached (an import folds the same names and aliases several times), with a quick path
    for plain ASCII text, where letters and digits are exactly ``[0-9a-z]`` once lowered."""
    if not text:
        return ""
    if text.isascii():
        return " ".join(_NOT_ALNUM.sub(" ", text.lower()).split())
    norm = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in norm if not unicodedata.combining(ch)).lower()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in plain).split())


@dataclass(frozen=True)
class _Entry:
    skill_id: int
    terms: tuple[str, ...]          # folded names first (Italian, English), then aliases
    words: frozenset[str]           # every word of every term
    n_names: int = 2                # how many of ``terms`` are names rather than aliases


@dataclass(frozen=True)
class _Index:
    entries: list[_Entry]
    vocabulary: frozenset[str]      # every word of the taxonomy, for typo matching
    close: dict = field(default_factory=dict)  # query word -> close words (memo, bounded)


@dataclass(frozen=True)
class Match:
    skill_id: int
    score: float


def _build(org_id: int) -> _Index:
    rows = db.session.execute(sa.select(Skill.id, Skill.name_it, Skill.name_en, Skill.aliases)
                              .where(Skill.organisation_id == org_id, Skill.active.is_(True)))
    out = []
    for sid, it, en, aliases in rows:
        names = tuple(t for t in dict.fromkeys((fold(it), fold(en))) if t)
        terms = tuple(t for t in dict.fromkeys(
            (*names, *(fold(x) for x in (aliases or "").split("|")))) if t)
        out.append(_Entry(sid, terms, frozenset(w for t in terms for w in t.split()),
                          len(names)))
    return _Index(out, frozenset(w for e in out for w in e.words))


def _index(org_id: int) -> _Index:
    """The organisation's index at its current data version (every worker alike)."""
    return versions.memo(org_id, "skill_search", (), lambda: _build(org_id))


def _close_words(qword: str, vocabulary: frozenset[str]) -> dict[str, float]:
    """Words of the taxonomy close to one query word, with a 0..1 score."""
    out = {}
    sm = difflib.SequenceMatcher(b=qword)
    for w in vocabulary:
        if w == qword:
            out[w] = 1.0
        elif len(qword) >= 2 and w.startswith(qword):
            out[w] = 0.95
        elif len(qword) >= 4 and abs(len(w) - len(qword)) <= 2:
            sm.set_seq1(w)
            if sm.real_quick_ratio() >= 0.8 and sm.quick_ratio() >= 0.8:
                ratio = sm.ratio()
                if ratio >= 0.8:
                    out[w] = ratio
    return out


def _score(query: str, close: list[dict[str, float]], entry: _Entry) -> float:
    """1.0 for an exact name or alias; then prefix, substring, and word-by-word typos.

    A match on a name counts a little more than the same match on an alias, and a
    shorter term a little more than a longer one, so the skill *called* what was
    typed comes before a skill that merely mentions it.
    """
    best = 0.0
    fuzzy = all(not scores.keys().isdisjoint(entry.words) for scores in close)
    for i, term in enumerate(entry.terms):
        weight = 1.0 if i < entry.n_names else 0.97
        if term == query:
            return 1.0 if i < entry.n_names else 0.99
        if term.startswith(query):
            score = 0.96
        elif query in term:
            score = 0.9
        elif not fuzzy:
            continue
        else:
            words = term.split()
            total = 0.0
            for scores in close:
                word_best = max((scores[w] for w in words if w in scores), default=0.0)
                if not word_best:
                    total = 0.0
                    break
                total += word_best
            score = 0.85 * total / len(close) if total else 0.0
        if score:
            best = max(best, score * weight - 0.002 * len(term.split()))
    return max(best, 0.0)


def search(org_id: int, query: str, limit: int = 10) -> list[Match]:
    """The skills best matching ``query``, best first (empty for an empty query)."""
    q = fold(query[:MAX_QUERY])
    if not q:
        return []
    index = _index(org_id)
    close = []
    for word in dict.fromkeys(q.split()):
        if word not in index.close:
            if len(index.close) > 5000:
                index.close.clear()
            index.close[word] = _close_words(word, index.vocabulary)
        close.append(index.close[word])
    found = []
    for entry in index.entries:
        score = _score(q, close, entry)
        if score > 0:
            found.append(Match(entry.skill_id, score))
    found.sort(key=lambda m: (-m.score, m.skill_id))
    return found[:limit]


def search_skills(org_id: int, query: str, limit: int = 10) -> list[Skill]:
    """Like :func:`search`, returning the Skill rows (with their area) in order."""
    matches = search(org_id, query, limit)
    if not matches:
        return []
    rows = {s.id: s for s in db.session.scalars(
        sa.select(Skill).options(sa.orm.joinedload(Skill.area))
        .where(Skill.id.in_([m.skill_id for m in matches])))}
    return [rows[m.skill_id] for m in matches if m.skill_id in rows]

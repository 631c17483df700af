"""A prepared model so that per-person questions are answered fast.

``prepare(profiles)`` does the heavy work once (sparse matrices, item-item
similarity, people vectors); :func:`recommend_skills` and
:func:`similar_people` accept either the profiles or the prepared model.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from .convert import _to_matrix, validate_profiles

__all__ = ["EngineModel", "prepare", "update"]

#: Exponent of the asymmetric cosine used for item-item similarity.
ALPHA = 0.7


@dataclass(frozen=True)
class EngineModel:
    """Everything per-person queries need, computed once by :func:`prepare`.

    Attributes
    ----------
    people, skills : Index
        Row / column labels (everyone and every skill in the profiles,
        wishes included).
    levels : csr_matrix
        People x skills held levels (1-5; wishes are not held).
    binary : csr_matrix
        0/1 version of ``levels``.
    wishes : csr_matrix
        People x skills 0/1: level-0 rows and rows with ``wants_to_grow``.
    item_similarity : ndarray
        Dense skills x skills *asymmetric cosine* of the holder sets, zero
        diagonal (float32): ``both[i, c] / (holders[i] ** 0.7 * holders[c] ** 0.3)``,
        read as "how much holding ``i`` points to ``c``". Between plain cosine
        (0.5) and P(c | i) (1.0); 0.7 gave the best hold-out hit rate in
        ``bench/bench_engine.py``.
    people_vectors : csr_matrix
        Rows are idf-weighted level vectors scaled to unit length, so that
        ``people_vectors @ people_vectors.T`` is the cosine similarity.
    holders : ndarray
        Number of holders of each skill.
    co_holders : ndarray
        Dense skills x skills float32: how many people hold both (whole numbers), kept so
        that :func:`update` can change a few people without recounting everyone.
    """

    people: pd.Index
    skills: pd.Index
    levels: sparse.csr_matrix = field(repr=False)
    binary: sparse.csr_matrix = field(repr=False)
    wishes: sparse.csr_matrix = field(repr=False)
    item_similarity: np.ndarray = field(repr=False)
    people_vectors: sparse.csr_matrix = field(repr=False)
    holders: np.ndarray = field(repr=False)
    co_holders: np.ndarray = field(repr=False, default=None)

    def row(self, person) -> int:
        """Row number of ``person``; KeyError with a clear message if unknown."""
        try:
            i = self.people.get_loc(person)
        except KeyError:
            raise KeyError(f"unknown person: {person!r}") from None
        if not isinstance(i, (int, np.integer)):
            raise KeyError(f"person label is not unique: {person!r}")
        return int(i)


def prepare(profiles) -> EngineModel:
    """Prepare profiles for fast :func:`recommend_skills` / :func:`similar_people`.

    Memory: sparse people x skills matrices plus two dense skills x skills
    float32 matrices (similarity and co-holders, 16 MB each at 2,000 skills).
    After a few people changed, :func:`update` gives the same model for less.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"person": ["a", "a", "b"], "skill": ["x", "y", "x"],
    ...                    "level": [3, 0, 2]})
    >>> m = prepare(df)
    >>> list(m.people), list(m.skills), m.wishes.toarray().tolist()
    (['a', 'b'], ['x', 'y'], [[0.0, 1.0], [0.0, 0.0]])
    """
    if isinstance(profiles, EngineModel):
        return profiles
    prof = validate_profiles(profiles)
    people = pd.Index(pd.unique(prof["person"]))
    skills = pd.Index(pd.unique(prof["skill"]))
    pm = _to_matrix(prof, people, skills)
    levels = pm.matrix
    binary = pm.binary()
    wishes = _wishes(prof, people, skills)
    co = (binary.T @ binary).toarray().astype(np.float32)
    return _finish(people, skills, levels, binary, wishes, co)


def _wishes(prof: pd.DataFrame, people: pd.Index, skills: pd.Index) -> sparse.csr_matrix:
    """People x skills 0/1: level-0 rows and rows with ``wants_to_grow`` (validated rows)."""
    rows = prof[(prof["level"] == 0) | prof["wants_to_grow"]]
    return sparse.csr_matrix(
        (np.ones(len(rows)), (people.get_indexer(rows["person"]),
                              skills.get_indexer(rows["skill"]))),
        shape=(len(people), len(skills))).tocsr()


def _finish(people, skills, levels, binary, wishes, co) -> EngineModel:
    """The parts of the model computed from the matrices (by :func:`prepare` and
    :func:`update` alike, so both give the same numbers)."""
    holders = np.asarray(binary.sum(axis=0)).ravel()
    h = holders.astype(np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        sim = np.nan_to_num(co / (h[:, None] ** ALPHA) / (h[None, :] ** (1 - ALPHA)))
    np.fill_diagonal(sim, 0.0)

    idf = np.log((1 + len(people)) / (1 + holders)) + 1.0
    vec = (levels @ sparse.diags(idf)).tocsr()
    lengths = np.sqrt(np.asarray(vec.multiply(vec).sum(axis=1)).ravel())
    lengths[lengths == 0] = 1.0
    vec = (sparse.diags(1.0 / lengths) @ vec).tocsr()
    return EngineModel(people, skills, levels, binary, wishes, sim, vec, holders, co)


def _replace_rows(m: sparse.csr_matrix, rows: np.ndarray, new: sparse.csr_matrix):
    """``m`` with its rows ``rows`` (sorted) replaced by the rows of ``new`` (same order)."""
    indptr, indices, data = m.indptr, m.indices, m.data
    lengths = np.diff(indptr)
    new_lengths = np.diff(new.indptr)
    parts_i, parts_d, start = [], [], 0
    for k, r in enumerate(rows):
        parts_i += [indices[indptr[start]:indptr[r]], new.indices[new.indptr[k]:new.indptr[k + 1]]]
        parts_d += [data[indptr[start]:indptr[r]], new.data[new.indptr[k]:new.indptr[k + 1]]]
        start = r + 1
    parts_i.append(indices[indptr[start]:])
    parts_d.append(data[indptr[start]:])
    lengths = lengths.copy()
    lengths[rows] = new_lengths
    out_ptr = np.zeros(len(lengths) + 1, dtype=indptr.dtype)
    np.cumsum(lengths, out=out_ptr[1:])
    return sparse.csr_matrix((np.concatenate(parts_d).astype(data.dtype, copy=False),
                              np.concatenate(parts_i).astype(indices.dtype, copy=False),
                              out_ptr), shape=m.shape)


def update(model: EngineModel, profiles: pd.DataFrame, people) -> EngineModel | None:
    """``prepare(profiles)``, made from ``model`` by recounting the rows of ``people`` only.

    ``profiles`` is the whole organisation as :func:`prepare` would be given it (same rows,
    same order); ``people`` names everyone whose rows may differ from those ``model`` was
    prepared from. The result equals ``prepare(profiles)``: same labels in the same order,
    the same numbers. Returns None when it cannot be made so (someone or a skill appears or
    disappears, the order of the skills changes): call :func:`prepare` then.

    A few changed people out of 10,000 cost a fraction of a full :func:`prepare`: their
    rows are replaced in the sparse matrices and their pairs of skills recounted.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"person": ["a", "a", "b"], "skill": ["x", "y", "x"],
    ...                    "level": [3, 2, 2]})
    >>> m = prepare(df)
    >>> df2 = df.assign(level=[3, 2, 5])
    >>> m2 = update(m, df2, ["b"])
    >>> m2.levels.toarray().tolist() == prepare(df2).levels.toarray().tolist()
    True
    """
    if model.co_holders is None:
        return None
    if not {"person", "skill", "level"} <= set(profiles.columns):
        return None
    person_col = profiles["person"]
    people_now = pd.Index(pd.unique(person_col))
    skills_now = pd.Index(pd.unique(profiles["skill"]))
    if not (people_now.equals(model.people) and skills_now.equals(model.skills)):
        return None
    changed = [p for p in dict.fromkeys(people) if p in model.people]
    if not changed:
        return model
    rows = np.sort(model.people.get_indexer(changed))
    labels = model.people[rows]
    mine = validate_profiles(profiles[person_col.isin(labels).to_numpy()])
    new_levels = _to_matrix(mine, labels, model.skills).matrix
    levels = _replace_rows(model.levels, rows, new_levels)
    binary = levels.copy().astype(np.float64)
    binary.data[:] = 1.0
    wishes = _replace_rows(model.wishes, rows, _wishes(mine, labels, model.skills))
    old_b = model.binary[rows].toarray()
    new_b = binary[rows].toarray()
    co = model.co_holders + (new_b.T @ new_b - old_b.T @ old_b).astype(np.float32)
    return _finish(model.people, model.skills, levels, binary, wishes, co)

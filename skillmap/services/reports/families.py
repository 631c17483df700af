"""Skill families (the engine's) with their size and strength in each unit.

The families come from the recompute job (:mod:`skillmap.services.recompute`),
stored with the data version they were computed from; the report says when
they were computed and whether profiles changed since. Only when they were
never computed does this module call :func:`skillmap.engine.skill_families`
itself (about 0.1 s for 10,000 people), in the versioned cache, storing nothing.
"""
from __future__ import annotations

from datetime import datetime

import pandas as pd
from flask_babel import gettext as _

from skillmap.engine import NOT_ENOUGH_DATA, skill_families
from skillmap.models.base import utcnow
from skillmap.services import recompute, versions
from skillmap.services.report_exports import Table
from skillmap.services.reports.base import (STRONG, Filters, Report, profile_table,
                                            profiles_frame, skills_frame, units_frame)
from skillmap.services.suppression import small_group_mask

TRANSVERSAL = -1


def family_labels(organisation_id: int) -> tuple[pd.Series, datetime, bool]:
    """skill_id -> family number, when the families were computed, and whether stale."""
    hit = recompute.family_result(organisation_id)
    if hit is not None and hit.payload.get("families"):
        labels = {int(s): int(fam["id"]) for fam in hit.payload["families"]
                  for s in fam["members"]}
        return pd.Series(labels, dtype="int64"), hit.computed_at, hit.outdated

    def compute():
        prof = profiles_frame(organisation_id)
        labels = skill_families(prof[["person", "skill", "level"]],
                                seed=recompute.SEED).labels.astype("int64")
        return labels[labels != NOT_ENOUGH_DATA], utcnow()  # too few holders: no family
    labels, when = versions.memo(organisation_id, "families_live", (), compute)
    return labels, when, False


def families_report(organisation_id: int, f: Filters, min_group: int, lang: str) -> Report:
    labels, computed_at, stale = family_labels(organisation_id)
    labels = labels.rename("family").rename_axis("skill_id").reset_index()
    skills = skills_frame(organisation_id, lang, f.area_id).merge(labels, on="skill_id")
    fam_of = skills.set_index("skill_id")["family"]
    # hiding is decided on every unit (the finest table) and the unit filter picks a column
    strong = profile_table(organisation_id)
    strong = strong[strong["level"].to_numpy() >= STRONG]
    # people at level 3+ in at least one skill of the family, per unit: distinct people
    per_unit = (pd.DataFrame({"family": strong["skill"].map(fam_of).to_numpy(),
                              "unit_id": strong["unit_id"].to_numpy(),
                              "person": strong["person"].to_numpy()})
                .dropna(subset=["family"]).drop_duplicates()
                .groupby(["family", "unit_id"]).size().rename("people").reset_index())
    per_unit["family"] = per_unit["family"].astype("int64")
    holders = strong.groupby("skill").size()
    skills["holders"] = skills["skill_id"].map(holders).fillna(0).astype(int)
    names = {}
    for fam, group in skills.sort_values(["holders", "code"], ascending=[False, True]).groupby(
            "family", sort=False):
        names[fam] = " / ".join(group["skill"].head(3))
    size = skills.groupby("family").size()
    order = sorted(size.index, key=lambda k: (k == TRANSVERSAL, -size[k], k))

    all_units = units_frame(organisation_id, lang)
    people = (per_unit.pivot_table(index="family", columns="unit_id", values="people",
                                   aggfunc="sum", fill_value=0) if len(per_unit)
              else pd.DataFrame()).reindex(index=order, columns=all_units["unit_id"], fill_value=0)
    people[_("All units")] = people.sum(axis=1)
    hidden = small_group_mask(people, min_group, sum_axes=(1,))
    units = units_frame(organisation_id, lang, f.unit_id)
    if f.unit_id is not None:  # one unit: its column, and "all units" is that same column
        keep = list(units["unit_id"])
        people = people[keep].assign(**{_("All units"): people[keep].sum(axis=1)})
        hidden = hidden[keep].assign(**{_("All units"): hidden[keep].any(axis=1)})
    unit_names = dict(zip(units["unit_id"], units["unit"]))
    fam_label = {k: (_("Transversal skills") + ": " if k == TRANSVERSAL else "") + names[k]
                 for k in order}
    table = people.rename(columns=unit_names)
    table.insert(0, _("Skills in the family"), [int(size[k]) for k in order])
    table.insert(0, _("Family"), [fam_label[k] for k in order])
    hid = hidden.rename(columns=unit_names)
    hid.insert(0, _("Skills in the family"), False)
    hid.insert(0, _("Family"), False)
    members = (skills.sort_values(["family", "holders"], ascending=[True, False])
               .groupby("family")["skill"].apply(lambda s: ", ".join(s)))
    member_table = pd.DataFrame({_("Family"): [fam_label[k] for k in order],
                                 _("Skills"): [members[k] for k in order]})
    return Report("families", _("Skill families"), f, computed_at=computed_at, tables=[
        Table(_("Families by unit"),
              _("People at level 3 or more in at least one skill of the family, by unit"),
              table.reset_index(drop=True), hid.reset_index(drop=True)),
        Table(_("Family skills"), _("The skills of each family"), member_table),
    ], extra={"order": order, "labels": fam_label, "people": people, "hidden": hidden,
              "units": [(u, unit_names[u]) for u in units["unit_id"]], "size": size,
              "stale": stale})

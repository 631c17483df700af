"""A person's printable skill card: skills by area with levels and confirmations, training.

Reading it is a page view; when someone other than the person opens it (HR), the
view records the disclosure like any other view of the person's data
(:func:`skillmap.services.audit.record_disclosures`) and commits it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from skillmap.models import Person, PersonSkill, User
from skillmap.services import audit, profiles

__all__ = ["ACTION", "SkillCard", "card", "record_view"]

#: the audit action of someone else opening a person's card
ACTION = "profile.card_viewed"


@dataclass
class SkillCard:
    """What the card shows. ``groups``: (area, held skills) in area order; ``wishes``:
    skills the person wants to learn (level 0); ``growing``: held skills they want to
    grow in; ``certificates``: held skills with a certificate's expiry date."""

    person: Person
    groups: list = field(default_factory=list)
    wishes: list[PersonSkill] = field(default_factory=list)
    growing: list[PersonSkill] = field(default_factory=list)
    certificates: list[PersonSkill] = field(default_factory=list)
    confirmers: dict = field(default_factory=dict)

    @property
    def has_training(self) -> bool:
        return bool(self.wishes or self.growing or self.certificates)


def card(person: Person) -> SkillCard:
    """The card of ``person`` (reads only)."""
    rows = profiles.person_skills(person)
    held = [ps for ps in rows if ps.level >= 1]
    return SkillCard(
        person=person, groups=profiles.grouped_by_area(held),
        wishes=[ps for ps in rows if ps.level == 0],
        growing=[ps for ps in held if ps.wants_to_grow],
        certificates=sorted((ps for ps in held if ps.evidence_expires_on),
                            key=lambda ps: ps.evidence_expires_on),
        confirmers=profiles.confirmer_names(held))


def record_view(viewer: User, person: Person) -> int:
    """Log that ``viewer`` opened ``person``'s card (nothing for oneself); the view commits."""
    return audit.record_disclosures(viewer.organisation_id, viewer.id, ACTION, [person.id],
                                    context="skill card", skip_person_id=viewer.person_id)

"""Team e-mails: the invitation to a project team, and the answer to its coordinator.

These are the messages a person may turn off (``Person.email_notifications``,
on /profile/settings); account messages (invitation, reset) always go out.
Each function queues its messages in the caller's transaction: they leave
after the commit (:mod:`skillmap.services.mail`).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from skillmap.extensions import db
from skillmap.models import Person, Project, User
from skillmap.services import mail

__all__ = ["team_answered", "team_invited"]


def _wants(person: Person | None) -> bool:
    return bool(person is not None and person.email and person.email_notifications
                and not person.has_ended())


def team_invited(project: Project, person_ids) -> int:
    """E-mail each newly invited person; returns how many messages were queued."""
    sent = 0
    for pid in person_ids:
        person = db.session.get(Person, pid)
        if not _wants(person):
            continue
        user = person.user
        locale = user.locale if user is not None else "it"
        mail.queue_message(project.organisation_id, person.email, "team_invite", "team_invite",
                           _l("You are invited to the team of %(project)s"), locale=locale,
                           person_id=person.id, name=person.first_name, project=project.title,
                           link=mail.external_url("main.home"), has_account=user is not None)
        sent += 1
    return sent


def team_answered(project: Project, person: Person, accepted: bool) -> bool:
    """E-mail the project's coordinator that ``person`` accepted or declined."""
    coordinator = db.session.get(User, project.coordinator_id) if project.coordinator_id else None
    if coordinator is None or not coordinator.active:
        return False
    if coordinator.person is not None and not coordinator.person.email_notifications:
        return False
    subject = (_l("%(name)s accepted the invitation to %(project)s") if accepted
               else _l("%(name)s declined the invitation to %(project)s"))
    mail.queue_message(project.organisation_id, coordinator.email, "team_answer", "team_answer",
                       subject, locale=coordinator.locale, person_id=coordinator.person_id,
                       name=person.full_name, project=project.title, accepted=accepted,
                       link=mail.external_url("projects.team", project_id=project.id))
    return True

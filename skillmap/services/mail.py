"""E-mail: every message gets an outbox row and is sent by a task of the queue.

:func:`queue_message` renders a message in the recipient's language (plain text
and HTML, from ``templates/email/<template>.txt`` / ``.html``), adds an
:class:`~skillmap.models.OutboxMessage` row to the caller's transaction and sends
the message to the queue after the commit. The task (:func:`deliver`) sends it
through SMTP (``MAIL_SERVER``, STARTTLS or SSL) or, with no server configured,
writes it to ``MAIL_OUTBOX_DIR`` as an ``.eml`` file and prints its links on the
console. A failed attempt is retried (``MAIL_RETRIES`` times, ``MAIL_RETRY_DELAY``
seconds apart, see :mod:`skillmap.queue`); a message still failing is marked ``failed`` with the error and
shown to the admins. The body is never stored: it may hold a one-time link.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_mailman import EmailMultiAlternatives
from sqlalchemy.orm import Session

from skillmap.extensions import db
from skillmap.models import OutboxMessage
from skillmap.models.base import utcnow

__all__ = ["Message", "deliver", "external_url", "failed", "queue_message", "sent_to"]

#: session.info key: messages to hand to the queue after the commit
PENDING = "skillmap_mail_to_send"
LINK_RE = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Message:
    """A rendered message, as the queue carries it."""

    outbox_id: int
    to: str
    subject: str
    text: str
    html: str


def external_url(endpoint: str, **values) -> str:
    """An absolute link into SkillMap for an e-mail, always on ``BASE_URL``.

    Never built from the request's Host header: a forged Host must not turn a
    password-reset link into a link to another site.
    """
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)


def queue_message(organisation_id: int, to: str, kind: str, template: str, subject, *,
                  locale: str = "it", person_id: int | None = None, **context) -> OutboxMessage:
    """Render ``template`` in ``locale`` and queue it for ``to`` (sent after the commit).

    ``subject`` is a lazy string; ``context`` fills the templates (the organisation's
    name is always there as ``organisation``).
    """
    context.setdefault("organisation", current_app.config["ORGANISATION_NAME"])
    with force_locale(locale if locale in current_app.config["LANGUAGES"] else "it"):
        subject_text = str(subject) % context if "%(" in str(subject) else str(subject)
        text = render_template(f"email/{template}.txt", subject=subject_text, **context)
        html = render_template(f"email/{template}.html", subject=subject_text, **context)
    row = OutboxMessage(organisation_id=organisation_id, person_id=person_id, kind=kind,
                        to_address=to, subject=subject_text[:300], state="queued", attempts=0,
                        error="")
    db.session.add(row)
    db.session.flush()
    db.session.info.setdefault(PENDING, []).append(
        Message(row.id, to, subject_text, text, html))
    return row


def _send_after_commit(session: Session) -> None:
    pending = session.info.pop(PENDING, [])
    if pending:
        from skillmap import queue

        for message in pending:
            queue.send_mail(message)


def _forget_after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)


for _name, _fn in (("after_commit", _send_after_commit),
                   ("after_rollback", _forget_after_rollback)):
    if not sa.event.contains(Session, _name, _fn):
        sa.event.listen(Session, _name, _fn)


def _write_eml(message: Message, email: EmailMultiAlternatives) -> Path:
    folder = Path(current_app.config["MAIL_OUTBOX_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{utcnow():%Y%m%d-%H%M%S}-{message.outbox_id}.eml"
    path.write_bytes(email.message().as_bytes())
    links = LINK_RE.findall(message.text)
    print(f"[mail] to {message.to}: {message.subject} -> {path}", file=sys.stdout)
    for link in links:
        print(f"[mail]   {link}", file=sys.stdout)
    return path


def deliver(message: Message, retries_left: int) -> str:
    """Send one message (the queue task); returns the row's new state.

    Raises the sending error while retries are left, so that the queue tries again.
    """
    row = db.session.get(OutboxMessage, message.outbox_id)
    if row is None or row.state == "sent":
        return "gone" if row is None else "sent"
    cfg = current_app.config
    email = EmailMultiAlternatives(message.subject, message.text, cfg["MAIL_SENDER"],
                                   [message.to])
    email.attach_alternative(message.html, "text/html")
    row.attempts = (row.attempts or 0) + 1
    try:
        if cfg.get("MAIL_SERVER"):
            from skillmap.extensions import mail

            with mail.get_connection(timeout=cfg["MAIL_TIMEOUT"]) as conn:
                conn.send_messages([email])
        else:
            _write_eml(message, email)
    except Exception as exc:  # SMTP, network or disk: recorded, retried, then shown
        row.error = f"{type(exc).__name__}: {exc}"[:1000]
        row.state = "queued" if retries_left > 0 else "failed"
        db.session.commit()
        current_app.logger.warning("mail %s to %s not sent (%s retries left): %s",
                                   row.id, message.to, retries_left, row.error)
        if retries_left > 0:
            raise
        return "failed"
    row.state, row.sent_at, row.error = "sent", utcnow(), ""
    db.session.commit()
    return "sent"


def failed(organisation_id: int, limit: int = 50) -> list[OutboxMessage]:
    """Messages that could not be sent after every retry, newest first."""
    return list(db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.organisation_id == organisation_id, OutboxMessage.state == "failed")
        .order_by(OutboxMessage.created_at.desc()).limit(limit)))


def sent_to(organisation_id: int, address: str, limit: int = 10) -> list[OutboxMessage]:
    """The last messages to ``address``, newest first (the account page)."""
    return list(db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.organisation_id == organisation_id,
        sa.func.lower(OutboxMessage.to_address) == (address or "").lower())
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit)))

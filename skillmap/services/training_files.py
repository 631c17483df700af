"""Certificates of training records: checked by content, kept outside the web root.

A file is accepted only if its first bytes say PDF, PNG or JPEG (the name and the
browser's content type are not trusted) and it is not larger than
``TRAINING_FILE_MAX_BYTES``. It is stored under ``TRAINING_FILES_DIR``
(``instance/certificates`` by default, never under ``static/``) with a random
name and mode 0600; the page that serves it checks who asks
(:func:`skillmap.web.training.routes.certificate`). Files go with their record,
and with the person when the person is erased (:func:`delete_files`).
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

__all__ = ["CertificateError", "delete_files", "kind_of", "path_of", "store"]

#: leading bytes -> (content type, file extension)
MAGIC = (
    (b"%PDF-", ("application/pdf", "pdf")),
    (b"\x89PNG\r\n\x1a\n", ("image/png", "png")),
    (b"\xff\xd8\xff", ("image/jpeg", "jpg")),
)


class CertificateError(ValueError):
    """The uploaded certificate is refused; ``message`` says why, in words."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def kind_of(head: bytes) -> tuple[str, str] | None:
    """The (content type, extension) the leading bytes prove, or None."""
    for magic, kind in MAGIC:
        if head.startswith(magic):
            return kind
    return None


def _folder() -> Path:
    folder = Path(current_app.config["TRAINING_FILES_DIR"])
    folder.mkdir(parents=True, mode=0o700, exist_ok=True)
    return folder


def store(data: bytes) -> tuple[str, str]:
    """Check and store ``data``; returns (file key, content type)."""
    limit = int(current_app.config["TRAINING_FILE_MAX_BYTES"])
    if not data:
        raise CertificateError(_l("The file is empty."))
    if len(data) > limit:
        raise CertificateError(_l("The file is larger than %(mb)s MB.",
                                  mb=round(limit / 1024 / 1024, 1)))
    kind = kind_of(data[:16])
    if kind is None:
        raise CertificateError(_l("Only PDF, PNG or JPEG files are accepted."))
    key = f"{secrets.token_hex(16)}.{kind[1]}"
    fd = os.open(_folder() / key, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return key, kind[0]


def path_of(key: str) -> Path | None:
    """The stored file of ``key`` (None when missing or the key is not one of ours)."""
    if not key or "/" in key or "\\" in key or key.startswith("."):
        return None
    path = _folder() / key
    return path if path.is_file() else None


def delete_files(keys) -> int:
    """Remove stored files (after the commit that dropped their records)."""
    gone = 0
    for key in keys:
        path = path_of(key) if key else None
        if path is not None:
            path.unlink()
            gone += 1
    return gone

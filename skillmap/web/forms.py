"""The base of every form of the app, and number fields that speak plainly.

* :class:`FlaskForm` replaces Flask-WTF's: WTForms' own messages for numbers ("Not a valid
  integer value.", in Italian "Non è una valore intero valido") are replaced by ours, and a
  form refused for an expired session or a stale token comes back with what was typed
  (:mod:`skillmap.web.kept`).
* :class:`IntegerField` and :class:`DecimalField`: our message when the text is not a
  number ("Non è un numero intero valido."), with an example suited to the field when
  given (the field's range message, if any, follows it).
  :class:`DecimalField` also reads a decimal comma ("3,5").

Every form module imports ``FlaskForm`` and the number fields from here;
``tests/web/test_forms_base.py`` fails on a form or a field that does not.
"""
from __future__ import annotations

import decimal

import flask_wtf
import wtforms
from flask import g, request
from flask_babel import gettext, lazy_gettext as _l

__all__ = ["DecimalField", "FlaskForm", "IntegerField", "OWN_MESSAGES"]

#: WTForms' messages we say in our own words (our catalogue translates them)
OWN_MESSAGES = {
    "Not a valid integer value.": _l("Not a valid whole number."),
    "Not a valid decimal value.": _l("Not a valid number."),
    "Not a valid float value.": _l("Not a valid number."),
}


class _Translations:
    """WTForms' catalogue, except for the messages in :data:`OWN_MESSAGES`."""

    def __init__(self, fallback):
        self.fallback = fallback

    def gettext(self, string):
        own = OWN_MESSAGES.get(string)
        return str(own) if own is not None else self.fallback.gettext(string)

    def ngettext(self, singular, plural, n):
        return self.fallback.ngettext(singular, plural, n)


class FlaskForm(flask_wtf.FlaskForm):
    """Flask-WTF's form with our number messages and the kept form of an expired session."""

    class Meta(flask_wtf.FlaskForm.Meta):
        def get_translations(self, form):
            return _Translations(super().get_translations(form) or _Plain())

        def wrap_formdata(self, form, formdata):
            kept = g.get("kept_formdata") if formdata is flask_wtf.form._Auto else None
            if kept is not None and request.method == "GET":
                names = {f.name for f in form if f.type not in ("CSRFTokenField", "SubmitField")}
                if names & set(kept.keys()):
                    return kept
            return super().wrap_formdata(form, formdata)


class _Plain:
    def gettext(self, string):
        return string

    def ngettext(self, singular, plural, n):
        return singular if n == 1 else plural


class _PlainNumber:
    """Shared by the number fields: one clear message when the text is not a number."""

    #: the message when the text is not a number; ``example`` is shown after it
    not_a_number = OWN_MESSAGES["Not a valid integer value."]

    def __init__(self, *args, example=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.example = example

    def _parse(self, text: str):  # pragma: no cover - each field defines it
        raise NotImplementedError

    def process_formdata(self, valuelist):
        text = valuelist[0].strip() if valuelist and valuelist[0] is not None else ""
        if not text:
            self.data = None
            return
        try:
            self.data = self._parse(text)
        except (ValueError, ArithmeticError):
            self.data = None
            message = str(self.not_a_number)
            if self.example is not None:
                message = gettext("%(message)s For example %(example)s.", message=message,
                                  example=self.example)
            raise ValueError(message)


class IntegerField(_PlainNumber, wtforms.IntegerField):
    """A whole number; ``example`` (e.g. 12, or 2023 for a year) follows the message."""

    def _parse(self, text: str) -> int:
        return int(text)


class DecimalField(_PlainNumber, wtforms.DecimalField):
    """A number with decimals, written "3,5" or "3.5"."""

    not_a_number = OWN_MESSAGES["Not a valid decimal value."]

    def _parse(self, text: str) -> decimal.Decimal:
        value = decimal.Decimal(text.replace(",", ".") if text.count(",") == 1 else text)
        if not value.is_finite():
            raise ValueError(text)
        return value

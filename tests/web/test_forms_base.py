"""Every form uses the app's base form and number fields: our own messages for a number
that is not one (never WTForms' "Non è una valore intero valido"), issue 15."""
import importlib
import pkgutil

import flask_wtf
import pytest
import wtforms
from flask_babel import force_locale

import skillmap.web
from skillmap.web import forms as base


def _all_forms():
    for info in pkgutil.walk_packages(skillmap.web.__path__, "skillmap.web."):
        importlib.import_module(info.name)
    seen, todo = [], [flask_wtf.FlaskForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("skillmap."):
                seen.append(sub)
            todo.append(sub)
    return seen


def test_every_form_uses_the_base_form_and_its_number_fields():
    forms = _all_forms()
    assert len(forms) > 20
    wrong_base = [f.__qualname__ for f in forms if not issubclass(f, base.FlaskForm)]
    assert wrong_base == []
    plain = []
    for form in forms:
        for name, unbound in form._unbound_fields or [(n, getattr(form, n)) for n in dir(form)
                                                      if isinstance(getattr(form, n, None),
                                                                    wtforms.fields.core.UnboundField)]:
            kind = unbound.field_class
            if (issubclass(kind, (wtforms.IntegerField, wtforms.DecimalField, wtforms.FloatField))
                    and not issubclass(kind, (base.IntegerField, base.DecimalField))):
                plain.append(f"{form.__qualname__}.{name}")
    assert plain == []


class Numbers(base.FlaskForm):
    class Meta:
        csrf = False

    n = base.IntegerField("n", validators=[wtforms.validators.NumberRange(1, 5, "Da 1 a 5.")])
    year = base.IntegerField("year", example=2025)
    d = base.DecimalField("d")
    plain = wtforms.IntegerField("plain")  # even WTForms' own field says it our way


@pytest.mark.parametrize("lang,data,field,expected", [
    ("it", {"n": "tre"}, "n", ["Non è un numero intero valido.", "Da 1 a 5."]),
    ("it", {"year": "ieri"}, "year", ["Non è un numero intero valido. Per esempio 2025."]),
    ("it", {"d": "3,x"}, "d", ["Non è un numero valido."]),
    ("it", {"plain": "tre"}, "plain", ["Non è un numero intero valido."]),
    ("en", {"n": "three"}, "n", ["Not a valid whole number.", "Da 1 a 5."]),
])
def test_a_number_that_is_not_one_is_said_plainly(app, lang, data, field, expected):
    from werkzeug.datastructures import MultiDict

    with app.test_request_context("/", method="POST"), force_locale(lang):
        form = Numbers(MultiDict(data))
        form.validate()
        assert [str(e) for e in form.errors[field]] == expected


def test_decimal_comma_and_spaces_are_read(app):
    from decimal import Decimal
    from werkzeug.datastructures import MultiDict

    with app.test_request_context("/", method="POST"):
        form = Numbers(MultiDict({"d": " 3,5 ", "n": " 4 "}))
        form.validate()
        assert form.d.data == Decimal("3.5") and form.n.data == 4 and "n" not in form.errors

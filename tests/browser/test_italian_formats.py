"""Every page of ``pages.py``, rendered in Italian on the demo cooperative, writes numbers the
Italian way: no decimal point between digits in the visible text ("3,3", never "3.3").

The Flask test client is enough (no browser): the visible text is the HTML without tags,
scripts, styles and attribute values.
"""
import html
import re

import pytest

from tests.browser.pages import PAGES
from tests.browser.test_accessibility import _url
from tests.browser.test_get_never_writes import clients  # noqa: F401  (fixture)

#: a point between digits, except the numbering that starts a skill's name ("2.4 Collaborare
#: attraverso le tecnologie digitali", DigComp's numbering, followed by a capitalised word) and
#: the framework's own version in an area name ("DigComp 2.2")
# a digit, a point, a digit; not: a section number ("DigComp 2.2", "1.2 Valutare"), a skill
# code ("DIGCOMP-1.1"), a thousands group ("300.000 righe": Italian grouping, not a decimal)
DECIMAL_POINT = re.compile(r"(?<!DigComp )(?<!-)\d\.\d(?!\d{2}(?!\d))(?!\d*\s+[A-ZÀ-Þ])")
HIDDEN = re.compile(r"<(script|style|svg:title)\b.*?</\1>", re.S | re.I)
TAG = re.compile(r"<[^>]+>")


def visible_text(page_html: str) -> str:
    """The text a reader sees: tags and attribute values removed, entities decoded."""
    return html.unescape(TAG.sub(" ", HIDDEN.sub(" ", page_html)))


@pytest.mark.parametrize("entry", [p for p in PAGES if p.role != "anonymous"], ids=lambda e: e.id)
def test_italian_pages_write_decimals_with_a_comma(live_app, clients, entry):  # noqa: F811
    url = _url(live_app, entry)
    resp = clients[entry.role].get(url)
    assert resp.status_code == 200, f"{url} answered {resp.status_code}"
    text = visible_text(resp.get_data(as_text=True))
    bad = [text[max(0, m.start() - 30): m.end() + 30].strip() for m in DECIMAL_POINT.finditer(text)]
    assert not bad, f"{url} shows decimal points: {bad[:5]}"


def test_the_check_finds_a_decimal_point():
    assert DECIMAL_POINT.search(visible_text("<p>media <b>3.3</b></p>"))
    assert DECIMAL_POINT.search(visible_text("<td>22.2 punti</td>"))
    assert not DECIMAL_POINT.search(visible_text('<p title="3.3">media 3,3</p>'))
    assert not DECIMAL_POINT.search(visible_text("<th>DigComp 2.2 – Competenze digitali</th>"))
    assert not DECIMAL_POINT.search(visible_text("<li>2.4 Collaborare attraverso</li>"))
    assert not DECIMAL_POINT.search(visible_text("<td>DIGCOMP-1.1</td>"))
    assert not DECIMAL_POINT.search(visible_text("<p>Al massimo 300.000 righe</p>"))
    assert DECIMAL_POINT.search(visible_text("<td>12.5</td>"))
    assert DECIMAL_POINT.search(visible_text("<td>1.25 ore</td>"))

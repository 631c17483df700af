"""Charts drawn on the server as SVG: no script, no internet, readable without colour.

Each chart has ``role="img"``, a ``<title>`` and an ``aria-label``; pages put
the same figures in a table beside it.
"""
from __future__ import annotations

from flask_babel import format_decimal
from markupsafe import Markup, escape

#: line styles: colour, dash pattern and marker, so that no line relies on colour
LINE_STYLES = [("#0b4f9c", "", "circle"), ("#a1121e", "8 4", "square"),
               ("#146c43", "2 3", "triangle"), ("#6f42c1", "12 4 2 4", "diamond"),
               ("#7a4a00", "4 4", "cross"), ("#0a6f7a", "16 4", "square"),
               ("#5c636a", "6 2 2 2", "triangle"), ("#b02a5b", "1 4", "circle")]


def _svg(width: int, height: int, label: str, body: list[str], kind: str = "") -> Markup:
    label = escape(label)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{label}" '
        f'viewBox="0 0 {width} {height}" width="100%" class="report-chart {kind}" '
        f'preserveAspectRatio="xMinYMin meet"><title>{label}</title>{"".join(body)}</svg>')


def _short(text: str, n: int = 38) -> str:
    text = str(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def bar_chart(items: list[tuple[str, float | None]], label: str, hidden_text: str) -> Markup:
    """Horizontal bars, each with its name above and its value beside it (None = hidden).

    The drawing is narrow (400 units) so that on a phone it shrinks little and its text
    stays readable; on a laptop the stylesheet caps its width.

    Hidden bars go after all shown ones: placed among them, they would tell their size.
    """
    items = [i for i in items if i[1] is not None] + [i for i in items if i[1] is None]
    row, left, width = 46, 4, 400
    top = max([v for _l, v in items if v is not None] + [1])
    body = []
    for i, (name, value) in enumerate(items):
        y = 6 + i * row
        body.append(f'<text x="{left}" y="{y + 15}" font-size="15" '
                    f'fill="#212529">{escape(_short(name, 48))}</text>')
        if value is None:
            body.append(f'<text x="{left}" y="{y + 36}" font-size="15" fill="#212529">'
                        f'{escape(hidden_text)}</text>')
            continue
        w = max(1, (width - left - 50) * value / top) if value else 0
        body.append(f'<rect x="{left}" y="{y + 21}" width="{w:.1f}" height="18" fill="#0b4f9c"/>')
        body.append(f'<text x="{left + w + 6:.1f}" y="{y + 36}" font-size="15" fill="#212529">'
                    f'{format_decimal(value, "0.#")}</text>')
    return _svg(width, 12 + row * max(1, len(items)), label, body, "bar-chart")


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if kind == "triangle":
        return (f'<polygon points="{x:.1f},{y - 5:.1f} {x - 5:.1f},{y + 4:.1f} '
                f'{x + 5:.1f},{y + 4:.1f}" fill="{colour}"/>')
    if kind == "diamond":
        return (f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} '
                f'{x - 5:.1f},{y:.1f}" fill="{colour}"/>')
    return (f'<path d="M{x - 4:.1f},{y - 4:.1f}L{x + 4:.1f},{y + 4:.1f}M{x - 4:.1f},{y + 4:.1f}'
            f'L{x + 4:.1f},{y - 4:.1f}" stroke="{colour}" stroke-width="2"/>')


def line_chart(months: list[str], series: list[tuple[str, list, list]], label: str) -> Markup:
    """One line per series (hidden points break the line); legend below with each style."""
    width, height, left, right, top, bottom = 760, 300, 50, 20, 15, 40
    values = [v for _n, vals, hid in series for v, h in zip(vals, hid) if not h]
    vmax = max(values + [1])
    n = max(1, len(months) - 1)
    x = lambda i: left + (width - left - right) * i / n  # noqa: E731
    y = lambda v: top + (height - top - bottom) * (1 - v / vmax)  # noqa: E731
    body = [f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" '
            f'y2="{height - bottom}" stroke="#495057"/>',
            f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#495057"/>']
    for tick in range(0, 5):
        v = vmax * tick / 4
        body.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="12" '
                    f'fill="#212529">{format_decimal(round(v), "0")}</text>')
    for i, m in enumerate(months):
        if i % 3 == 0 or i == len(months) - 1:
            body.append(f'<text x="{x(i):.1f}" y="{height - bottom + 18}" text-anchor="middle" '
                        f'font-size="12" fill="#212529">{escape(m)}</text>')
    for k, (name, vals, hid) in enumerate(series):
        colour, dash, marker = LINE_STYLES[k % len(LINE_STYLES)]
        parts, pen = [], "M"
        for i, (v, h) in enumerate(zip(vals, hid)):
            if h:
                pen = "M"
                continue
            parts.append(f"{pen}{x(i):.1f},{y(v):.1f}")
            pen = "L"
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(f'<path d="{" ".join(parts)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2.5"{dash_attr}/>')
        for i, (v, h) in enumerate(zip(vals, hid)):
            if not h and (i % 3 == 0 or i == len(vals) - 1):
                body.append(_marker(marker, x(i), y(v), colour))
    legend_h = 22 * len(series)
    for k, (name, _v, _h) in enumerate(series):
        colour, dash, marker = LINE_STYLES[k % len(LINE_STYLES)]
        ly = height + 10 + 22 * k
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(f'<line x1="{left}" y1="{ly}" x2="{left + 40}" y2="{ly}" stroke="{colour}" '
                    f'stroke-width="2.5"{dash_attr}/>' + _marker(marker, left + 20, ly, colour))
        body.append(f'<text x="{left + 50}" y="{ly + 4}" font-size="13" fill="#212529">'
                    f'{escape(_short(name, 70))}</text>')
    return _svg(width, height + legend_h + 10, label, body, "line-chart")


def grid_chart(rows: list[str], cols: list[str], values: list[list], hidden: list[list],
               label: str, hidden_text: str) -> Markup:
    """A map of squares: darker = more people, the number written in each square."""
    cell, left, top = 46, 300, 130
    vmax = max([v for r, hr in zip(values, hidden) for v, h in zip(r, hr) if not h] + [1])
    body = []
    for j, c in enumerate(cols):
        cx = left + j * cell + cell / 2
        body.append(f'<text transform="translate({cx:.1f},{top - 8}) rotate(-45)" font-size="12" '
                    f'fill="#212529">{escape(_short(c, 22))}</text>')
    for i, r in enumerate(rows):
        ry = top + i * cell
        body.append(f'<text x="{left - 8}" y="{ry + cell / 2 + 4:.1f}" text-anchor="end" '
                    f'font-size="12" fill="#212529">{escape(_short(r, 44))}</text>')
        for j, v in enumerate(values[i]):
            cx = left + j * cell
            if hidden[i][j]:
                fill, text, ink = "#e9ecef", hidden_text, "#212529"
            else:
                share = v / vmax if vmax else 0
                fill = ("#f8f9fa", "#dbe7f5", "#a9c6ea", "#6f9fd8", "#0b4f9c")[
                    min(4, int(share * 4 + (0.999 if share else 0)))]
                text, ink = str(int(v)), "#ffffff" if fill == "#0b4f9c" else "#000000"
            body.append(f'<rect x="{cx + 1}" y="{ry + 1}" width="{cell - 2}" height="{cell - 2}" '
                        f'fill="{fill}" stroke="#adb5bd"/>')
            body.append(f'<text x="{cx + cell / 2:.1f}" y="{ry + cell / 2 + 4:.1f}" '
                        f'text-anchor="middle" font-size="12" fill="{ink}">{escape(text)}</text>')
    return _svg(left + cell * max(1, len(cols)) + 10, top + cell * max(1, len(rows)) + 10,
                label, body)

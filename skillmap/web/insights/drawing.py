"""The skill network as server-side SVG data: positions, shapes and colours per family.

Colour is never the only cue: each family also has its own marker shape and
its number written inside every marker; transversal skills are hollow "T".
"""
from __future__ import annotations

import math

WIDTH, HEIGHT, MARGIN, RADIUS = 960, 640, 24, 9
#: Okabe-Ito colours (distinguishable with common colour-vision deficiencies)
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442",
           "#000000")
#: text colour readable on each palette entry
INK = ("#fff", "#000", "#fff", "#000", "#fff", "#000", "#000", "#fff")
SHAPES = ("circle", "square", "triangle", "diamond", "hexagon", "pentagon")
TRANSVERSAL_COLOUR = "#6c757d"


def _polygon(shape: str, x: float, y: float, r: float) -> str:
    corners = {"square": (4, 45), "triangle": (3, -90), "diamond": (4, 0),
               "hexagon": (6, 0), "pentagon": (5, -90)}[shape]
    n, start = corners
    r = r * (1.25 if n == 3 else 1.1)
    pts = []
    for k in range(n):
        a = math.radians(start + 360 * k / n)
        pts.append(f"{x + r * math.cos(a):.1f},{y + r * math.sin(a):.1f}")
    return " ".join(pts)


def marker(family: int, x: float = RADIUS + 2, y: float = RADIUS + 2, r: float = RADIUS) -> dict:
    """How one family's markers look: shape, fill, ink, label, SVG geometry."""
    if family < 0:
        return {"shape": "circle", "fill": "#fff", "stroke": TRANSVERSAL_COLOUR,
                "ink": "#000", "label": "T", "x": x, "y": y, "r": r, "points": ""}
    shape = SHAPES[family % len(SHAPES)]
    colour = family % len(PALETTE)
    return {"shape": shape, "fill": PALETTE[colour], "stroke": "#212529", "ink": INK[colour],
            "label": str(family + 1), "x": x, "y": y, "r": r,
            "points": "" if shape == "circle" else _polygon(shape, x, y, r)}


def figure(payload: dict) -> dict:
    """Nodes (skill id, pixel position, marker) and links for the template."""
    positions = payload.get("positions", {})
    family_of = {s: f["id"] for f in payload.get("families", []) for s in f["members"]}

    def px(sid):
        x, y = positions[str(sid)]
        return (MARGIN + x * (WIDTH - 2 * MARGIN), MARGIN + y * (HEIGHT - 2 * MARGIN))

    nodes = []
    for sid, fam in family_of.items():
        if str(sid) not in positions:
            continue
        x, y = px(sid)
        nodes.append({"skill": sid, "family": fam, **marker(fam, x, y)})
    links = []
    for a, b in payload.get("edges", []):
        if str(a) in positions and str(b) in positions:
            (x1, y1), (x2, y2) = px(a), px(b)
            links.append((round(x1, 1), round(y1, 1), round(x2, 1), round(y2, 1)))
    return {"width": WIDTH, "height": HEIGHT, "nodes": nodes, "links": links}

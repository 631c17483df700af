"""Drawing the skill network: families as discs, skills spread inside them (networkx).

:func:`family_payload` turns :class:`~skillmap.engine.SkillFamilies` into
JSON-ready data and :func:`layout` gives every skill a position in the unit
square, the same for the same input and seed.
"""
from __future__ import annotations

import networkx as nx

from .families import NOT_ENOUGH_DATA, SkillFamilies

__all__ = ["MAX_EDGES", "family_payload", "layout"]

#: at most this many links are drawn (the strongest)
MAX_EDGES = 1500


def family_payload(fam: SkillFamilies, max_edges: int = MAX_EDGES) -> dict:
    """Families, bridges and the strongest links as JSON-ready data (skill ids).

    Each family lists its members, strongest inside the family first
    (transversal skills, family -1, by number of holders), its three
    ``central`` skills and each member's ``confidence`` (0-1, None for
    transversal skills); skills held by too few people to place are not in
    any family but listed in ``not_enough_data`` (most held first);
    ``positions`` is left empty for :func:`layout`.

    Examples
    --------
    >>> import pandas as pd
    >>> from skillmap.engine import skill_families
    >>> df = pd.DataFrame({"person": [1, 1, 2, 2, 3, 3], "skill": [10, 11, 10, 11, 10, 11],
    ...                    "level": [3, 3, 4, 2, 3, 3]})
    >>> payload = family_payload(skill_families(df, seed=0))
    >>> sorted(s for f in payload["families"] for s in f["members"])
    [10, 11]
    >>> payload["not_enough_data"]
    []
    """
    graph = fam.graph
    labels = {int(s): int(f) for s, f in fam.labels.items() if f != NOT_ENOUGH_DATA}
    conf = fam.confidence if fam.confidence is not None else {}
    families = []
    for f in sorted(set(labels.values()), key=lambda f: (f == -1, f)):
        members = [s for s, g in labels.items() if g == f]
        inside = set(members)
        if f == -1:
            score = {s: graph.nodes[s].get("holders", 0) for s in members}
        else:
            score = {s: sum(d.get("weight", 0.0) for t, d in graph[s].items() if t in inside)
                     for s in members}
        members.sort(key=lambda s: -score[s])
        confidence = [None if f < 0 or s not in conf or conf[s] != conf[s]
                      else round(float(conf[s]), 3) for s in members]
        families.append({"id": f, "size": len(members), "members": members,
                         "central": members[:3], "confidence": confidence})
    rare = [int(s) for s, f in fam.labels.items() if f == NOT_ENOUGH_DATA]
    rare.sort(key=lambda s: -graph.nodes[s].get("holders", 0) if s in graph else 0)
    bridges = [{"skill": int(r.skill), "family": int(r.family),
                "connects": [int(c) for c in r.connects]}
               for r in fam.bridges.itertuples(index=False)]
    edges = sorted(graph.edges(data="weight", default=0.0), key=lambda e: -e[2])[:max_edges]
    return {"families": families, "bridges": bridges, "not_enough_data": rare,
            "edges": [[int(a), int(b)] for a, b, _w in edges if int(a) in labels
                      and int(b) in labels], "positions": {}}


def _disc_layout(sub: nx.Graph, seed: int) -> dict:
    """Spring layout of one family around a hidden hub tied to every skill, so that
    skills without links inside the family stay near it instead of flying off."""
    nodes = list(sub.nodes)
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    hub = object()
    g = nx.Graph(sub.edges)
    g.add_nodes_from(nodes)
    g.add_edges_from((hub, s) for s in nodes)
    pos = nx.spring_layout(g, seed=seed, weight=None)
    cx, cy = pos.pop(hub)
    scale = max(max(abs(x - cx), abs(y - cy)) for x, y in pos.values()) or 1.0
    return {s: ((x - cx) / scale, (y - cy) / scale) for s, (x, y) in pos.items()}


def layout(graph: nx.Graph, labels: dict, seed: int = 0) -> dict[str, list[float]]:
    """Positions in the unit square: families as discs, skills spread inside them.

    One spring layout (fixed seed) places the families, linked by the total
    weight of the links between them; one spring layout per family places its
    skills inside a disc of less than half the distance to the nearest family,
    so that families never overlap on the picture.
    """
    if graph.number_of_nodes() == 0:
        return {}
    members: dict[int, list] = {}
    for s in graph.nodes:
        members.setdefault(labels.get(int(s), -1), []).append(s)
    between = nx.Graph()
    between.add_nodes_from(sorted(members))
    for a, b, w in graph.edges(data="weight", default=0.0):
        fa, fb = labels.get(int(a), -1), labels.get(int(b), -1)
        if fa != fb:
            old = between.get_edge_data(fa, fb, {"weight": 0.0})["weight"]
            between.add_edge(fa, fb, weight=old + w)
    centres = (nx.spring_layout(between, seed=seed, weight="weight")
               if len(members) > 1 else {next(iter(members)): (0.0, 0.0)})
    pos = {}
    for f, nodes in members.items():
        cx, cy = centres[f]
        gaps = [((cx - x) ** 2 + (cy - y) ** 2) ** 0.5 for g, (x, y) in centres.items() if g != f]
        radius = 0.45 * min(gaps) if gaps else 1.0
        inner = _disc_layout(graph.subgraph(nodes), seed)
        for s, (x, y) in inner.items():
            pos[s] = (cx + radius * x, cy + radius * y)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    x0, y0 = min(xs), min(ys)
    w, h = (max(xs) - x0) or 1.0, (max(ys) - y0) or 1.0
    return {str(int(s)): [round((p[0] - x0) / w, 4), round((p[1] - y0) / h, 4)]
            for s, p in pos.items()}

"""The schema diagram, laid out on the server: each table a box listing its columns, boxes in
a grid, each foreign key a curve from its column to the referenced table. The template draws
it as inline SVG (every name escaped by Django), so it needs no JavaScript."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from platformkit.sections.database.catalog import Table

BOX_WIDTH = 240
HEADER = 26
LINE = 18
GAP_X = 80
GAP_Y = 40
MAX_COLUMNS_SHOWN = 30


@dataclass(frozen=True)
class Line:
    y: float
    name: str
    type: str
    key: bool
    reference: bool


@dataclass
class Box:
    schema: str
    name: str
    x: float
    y: float
    height: float
    lines: list[Line] = field(default_factory=list)
    hidden: int = 0  # columns past MAX_COLUMNS_SHOWN

    @property
    def width(self) -> int:
        return BOX_WIDTH


@dataclass(frozen=True)
class Edge:
    path: str
    label: str  # "table.column → table" for the title


@dataclass
class Drawing:
    width: float
    height: float
    boxes: list[Box]
    edges: list[Edge]


def layout(tables: list[Table]) -> Drawing:
    per_row = max(1, math.ceil(math.sqrt(len(tables))))
    boxes: dict[tuple[str, str], Box] = {}
    row_heights: list[float] = []
    for index, table in enumerate(tables):
        shown = table.columns[:MAX_COLUMNS_SHOWN]
        box_height = HEADER + LINE * (len(shown) + (1 if len(table.columns) > len(shown) else 0)) + 8
        row, col = divmod(index, per_row)
        if row == len(row_heights):
            row_heights.append(0.0)
        row_heights[row] = max(row_heights[row], box_height)
        box = Box(table.schema, table.name, 20 + col * (BOX_WIDTH + GAP_X), 0.0, box_height)
        referencing = {fk.columns[0] for fk in table.foreign_keys if fk.columns}
        box.lines = [
            Line(HEADER + LINE * (i + 1) - 4, c.name, c.type, c.name in table.primary_key, c.name in referencing)
            for i, c in enumerate(shown)
        ]
        box.hidden = len(table.columns) - len(shown)
        boxes[(table.schema, table.name)] = box
    tops = [20.0]
    for row_height in row_heights[:-1]:
        tops.append(tops[-1] + row_height + GAP_Y)
    for index, box in enumerate(boxes.values()):
        box.y = tops[index // per_row]
    edges = []
    for table in tables:
        source = boxes[(table.schema, table.name)]
        for fk in table.foreign_keys:
            target = boxes.get((fk.ref_schema, fk.ref_table))
            if target is None or not fk.columns:
                continue  # another schema's table: not on this drawing
            line = next((item for item in source.lines if item.name == fk.columns[0]), None)
            y1 = source.y + (line.y - 5 if line else HEADER / 2)
            x1 = source.x + BOX_WIDTH
            y2 = target.y + HEADER / 2
            x2 = target.x if target.x > source.x else target.x + (BOX_WIDTH if target is not source else BOX_WIDTH)
            bend = max(60.0, abs(x2 - x1) / 2)
            back = -1 if x2 <= x1 else 1
            path = f"M{x1:.0f},{y1:.0f} C{x1 + bend:.0f},{y1:.0f} {x2 - back * bend:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
            edges.append(Edge(path, f"{table.name}.{', '.join(fk.columns)} → {fk.ref_table}"))
    width = 40.0 + per_row * (BOX_WIDTH + GAP_X)
    total_height = (tops[-1] + row_heights[-1] + 20) if row_heights else 60.0
    return Drawing(width, total_height, list(boxes.values()), edges)

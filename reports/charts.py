"""A horizontal bar chart drawn on the server as inline SVG (no JavaScript, nothing from a CDN).

``bar_chart`` only computes geometry; ``templates/reports/_bar_chart.html`` draws it, so every
label goes through the template's escaping.
"""

from dataclasses import dataclass

ROW = 28  # px per bar row
LABEL = 96  # px reserved for the labels on the left
WIDTH = 480  # px of the whole drawing (scaled down by CSS on a phone)


@dataclass(frozen=True)
class Bar:
    label: str
    total: int
    part: int
    y: int
    total_width: float
    part_width: float
    url: str = ""


@dataclass(frozen=True)
class Chart:
    bars: list
    width: int
    height: int
    label_width: int
    row: int
    scale_max: int


def bar_chart(rows, *, width: int = WIDTH) -> Chart:
    """``rows`` of ``(label, total, part, url)`` → bars scaled to the largest total."""
    rows = list(rows)
    top = max((r[1] for r in rows), default=0) or 1
    span = width - LABEL - 48  # room for the number after the bar
    bars = [
        Bar(
            label=label,
            total=total,
            part=part,
            y=i * ROW,
            total_width=round(span * total / top, 1),
            part_width=round(span * part / top, 1),
            url=url,
        )
        for i, (label, total, part, url) in enumerate(rows)
    ]
    return Chart(
        bars=bars,
        width=width,
        height=max(ROW, ROW * len(bars)),
        label_width=LABEL,
        row=ROW,
        scale_max=top,
    )

"""Sections -> one self-contained HTML page: the CSS, the charting code and every chart's spec are
inlined, so the file opens offline, from a mail attachment or a file share, with no fetch."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from functools import cache
from importlib import resources
from string import Template

from pipeline.report.sections import Section, Sparkline, Table

# Inlined in this order: vega-lite needs vega, vega-embed needs both (pipeline/report/PROVENANCE.md).
SCRIPTS = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js")
SPARK_W, SPARK_H = 120, 22


@cache
def _data(name: str) -> str:
    return resources.files("pipeline.report").joinpath(f"data/{name}").read_text("utf-8")


def _script(name: str) -> str:
    """A vendored bundle without its trailing sourceMappingURL comment (the map is not shipped)."""
    lines = _data(name).rstrip("\n").split("\n")
    if lines and lines[-1].startswith("//# sourceMappingURL="):
        lines.pop()
    return "\n".join(lines)


def script_json(value) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' that could end it early."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def sparkline(s: Sparkline, grain: str) -> str:
    values = s.values or (0,)
    top = max(values) or 1
    step = SPARK_W / max(1, len(values) - 1)
    points = " ".join(
        f"{i * step:.1f},{SPARK_H - 2 - (v / top) * (SPARK_H - 4):.1f}"
        for i, v in enumerate(values)
    )
    label = f"articles per {grain}: " + ", ".join(map(str, values))
    shape = (
        f'<polyline points="{points}"/>'
        if len(values) > 1
        else f'<circle cx="{SPARK_W / 2}" cy="{SPARK_H / 2}" r="2"/>'
    )
    return (
        f'<svg class="spark" width="{SPARK_W}" height="{SPARK_H}" '
        f'viewBox="0 0 {SPARK_W} {SPARK_H}" role="img" aria-label="{html.escape(label)}">'
        f"{shape}</svg>"
    )


def _cell(value, grain: str) -> str:
    if isinstance(value, Sparkline):
        return f"<td>{sparkline(value, grain)}</td>"
    if value is None:
        return "<td></td>"
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<td class="num">{value:,}</td>'
    if isinstance(value, float):
        return f'<td class="num">{value:,.1f}</td>'
    return f"<td>{html.escape(str(value))}</td>"


def table_html(section: Section, grain: str) -> str:
    t: Table = section.table
    head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in t.columns)
    body = "\n".join("<tr>" + "".join(_cell(v, grain) for v in row) + "</tr>" for row in t.rows)
    return (
        f'<div class="table"><table data-table="{section.id}">'
        f"<caption>{html.escape(section.title)}: the numbers</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table></div>"
    )


def section_html(section: Section, grain: str) -> str:
    parts = [
        f'<section id="{section.id}" aria-labelledby="h-{section.id}">',
        f'<h2 id="h-{section.id}">{html.escape(section.title)}</h2>',
        f"<p>{html.escape(section.intro)}</p>",
    ]
    if section.empty:
        parts.append(f'<p class="empty">{html.escape(section.empty)}</p>')
    else:
        parts.append('<div class="pair">')
        if section.chart:
            description = section.chart.get("description", section.title)
            parts.append(
                f'<figure class="chart"><div id="chart-{section.id}" role="img" '
                f'aria-label="{html.escape(description)}"></div></figure>'
            )
        if section.table:
            parts.append(table_html(section, grain))
        parts.append("</div>")
        if section.chart:
            parts.append(
                f'<script type="application/json" data-chart="chart-{section.id}">'
                f"{script_json(section.chart)}</script>"
            )
    parts.append("</section>")
    return "\n".join(parts)


def render(sections: Sequence[Section], header: dict[str, str], grain: str) -> str:
    nav = " · ".join(f'<a href="#{s.id}">{html.escape(s.title)}</a>' for s in sections)
    return Template(_data("report.html")).substitute(
        title=html.escape(header["title"]),
        subtitle=html.escape(header["subtitle"]),
        footer=html.escape(header["footer"]),
        css=_data("report.css"),
        nav=nav,
        sections="\n".join(section_html(s, grain) for s in sections),
        scripts="\n".join(f"<script>{_script(name)}</script>" for name in SCRIPTS),
        embed=_data("embed.js"),
    )

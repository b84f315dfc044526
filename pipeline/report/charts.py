"""The report's charts as Vega-Lite specs, built with Altair from the query rows.

Every chart has a title, titled axes and a description (read out by screen readers); its data is
the aggregate the table beside it shows, never the articles themselves, so a report's size does not
grow with the dataset.
"""

from __future__ import annotations

from typing import Any

WIDTH = 560
STAMP = "%d %b %Y %H:%M UTC"
MINUTE = "utcyearmonthdatehoursminutes"
GRAIN_FORMAT = {"day": "%d %b %Y", "week": "%d %b %Y", "month": "%b %Y"}


def _alt():
    import altair as alt

    return alt


def _period_x(grain: str):
    alt = _alt()
    # A utc scale labels in UTC; Vega picks the label format that fits the span.
    return alt.X("period:T", title=f"Period ({grain}, UTC)", scale=alt.Scale(type="utc"))


def _period_tooltip(grain: str):
    return _alt().Tooltip(
        "period:T", title="Period", timeUnit="utcyearmonthdate", format=GRAIN_FORMAT[grain]
    )


def _finish(chart, title: str, description: str) -> dict:
    return chart.properties(title=title, description=description).to_dict()


def stacked_periods(
    rows: list[dict], field: str, label: str, grain: str, title: str, share: bool = False
) -> dict:
    """Articles per period stacked by `field` (language, source or topic); with `share`, each
    bar is stacked to 100%."""
    alt = _alt()
    values = [
        {"period": r["period"].isoformat(), field: r[field], "articles": r["articles"]}
        for r in rows
    ]
    y = (
        alt.Y(
            "sum(articles):Q",
            stack="normalize",
            title="Share of articles",
            axis=alt.Axis(format="%"),
        )
        if share
        else alt.Y("sum(articles):Q", title="Articles")
    )
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            x=_period_x(grain),
            y=y,
            color=alt.Color(
                f"{field}:N", title=label, sort="-y", scale=alt.Scale(scheme="tableau20")
            ),
            tooltip=[
                _period_tooltip(grain),
                alt.Tooltip(f"{field}:N", title=label),
                alt.Tooltip("articles:Q", title="Articles"),
            ],
        )
        .properties(width=WIDTH, height=260)
    )
    stacked = "stacked to 100%" if share else "stacked"
    return _finish(chart, title, f"{title}: bars {stacked}, one segment per {label.lower()}.")


def ranked_bars(
    values: list[dict[str, Any]],
    category: str,
    measure: str,
    axis_titles: tuple[str, str],
    title: str,
    color: str | None = None,
) -> dict:
    """Horizontal bars, largest first: entities by articles, dead letters by reason, …"""
    alt = _alt()
    encoding = {
        "y": alt.Y(f"{category}:N", sort="-x", title=axis_titles[0], axis=alt.Axis(labelLimit=260)),
        "x": alt.X(f"{measure}:Q", title=axis_titles[1]),
        "tooltip": [alt.Tooltip(f"{k}:N" if k != measure else f"{k}:Q") for k in values[0]],
    }
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=color.replace("_", " ").capitalize())
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(**encoding)
        .properties(width=WIDTH - 200, height=max(60, 18 * len(values)))
    )
    return _finish(chart, title, f"{title}: horizontal bars, largest first.")


def story_timeline(values: list[dict[str, Any]], title: str) -> dict:
    """One line per story from its first to its last article, a dot sized by its articles."""
    alt = _alt()
    base = alt.Chart(alt.Data(values=values)).encode(
        y=alt.Y(
            "story:N",
            sort=alt.EncodingSortField("articles", order="descending"),
            title="Story (first article's title)",
            # Above the labels, not beside them: long titles would run under a rotated title.
            axis=alt.Axis(
                labelLimit=240,
                titleAngle=0,
                titleAlign="right",
                titleBaseline="bottom",
                titleX=0,
                titleY=-8,
            ),
        ),
        tooltip=[
            alt.Tooltip("story:N", title="Story"),
            alt.Tooltip("articles:Q", title="Articles"),
            alt.Tooltip("first_seen:T", title="First seen", timeUnit=MINUTE, format=STAMP),
            alt.Tooltip("last_seen:T", title="Last seen", timeUnit=MINUTE, format=STAMP),
        ],
    )
    span = base.mark_rule(strokeWidth=3).encode(
        x=alt.X(
            "first_seen:T",
            title="Time (UTC)",
            scale=alt.Scale(type="utc"),
        ),
        x2="last_seen:T",
    )
    dots = base.mark_circle(opacity=0.8).encode(
        x="first_seen:T", size=alt.Size("articles:Q", title="Articles")
    )
    chart = alt.layer(span, dots).properties(width=WIDTH - 240, height=max(60, 20 * len(values)))
    return _finish(chart, title, f"{title}: one line per story from first to last article.")


def stacked_bars(
    values: list[dict[str, Any]],
    category: str,
    measure: str,
    stack: str,
    axis_titles: tuple[str, str],
    title: str,
) -> dict:
    """Horizontal bars, one per category, stacked by `stack` (poll outcomes per feed)."""
    alt = _alt()
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            y=alt.Y(
                f"{category}:N", sort="-x", title=axis_titles[0], axis=alt.Axis(labelLimit=300)
            ),
            x=alt.X(f"sum({measure}):Q", title=axis_titles[1]),
            color=alt.Color(f"{stack}:N", title=stack.capitalize()),
            tooltip=[
                alt.Tooltip(f"{category}:N"),
                alt.Tooltip(f"{stack}:N"),
                alt.Tooltip(f"{measure}:Q"),
            ],
        )
        .properties(width=WIDTH - 240, height=max(60, 18 * len({v[category] for v in values})))
    )
    return _finish(chart, title, f"{title}: horizontal bars stacked by {stack}.")

"""A coverage report: PNG charts and one HTML page that embeds them, from read-only queries.

The report answers the first questions asked of a press archive: who publishes
how much and when (articles per outlet per week), where (articles per
department of the outlet) and which stories travel (stories covered by the
most outlets). All numbers come from three small aggregate queries on one
read-only connection, so the file is held for milliseconds; drawing happens
after it is closed. matplotlib runs on the Agg backend: no display needed.

Every chart has a fixed size in pixels (``SIZE`` at ``DPI``), so the page
layout is predictable and a test can check the images.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from warehouse.db import DEFAULT_READ_WAIT, open_readonly

DPI = 100
SIZE = (12.0, 6.0)  # inches: 1200 x 600 pixels at DPI
TOP_OUTLETS = 10
TOP_STORIES = 15

_WEEKLY = """
    SELECT coalesce(s.name, a.source_id) AS outlet, date_trunc('week', a.published_at) AS week, count(*) AS n
    FROM articles a LEFT JOIN sources s ON s.id = a.source_id
    WHERE a.published_at IS NOT NULL
    GROUP BY ALL ORDER BY week
"""
_DEPARTMENTS = """
    SELECT coalesce(s.department, '?') AS department, count(*) AS n, count(DISTINCT a.source_id) AS outlets
    FROM articles a LEFT JOIN sources s ON s.id = a.source_id
    GROUP BY ALL ORDER BY n DESC, department
"""
_STORIES = f"""
    SELECT story_id, outlets_count, articles, titles[1] AS title
    FROM stories ORDER BY outlets_count DESC, articles DESC, first_published DESC NULLS LAST, story_id
    LIMIT {TOP_STORIES}
"""
_OUTLETS = """
    SELECT coalesce(s.name, a.source_id) AS outlet, s.department, count(*) AS articles,
           min(a.published_at)::DATE AS first, max(a.published_at)::DATE AS last
    FROM articles a LEFT JOIN sources s ON s.id = a.source_id
    GROUP BY ALL ORDER BY articles DESC, outlet
"""


@dataclass(frozen=True)
class ReportResult:
    html: Path
    charts: list[Path]
    articles: int


def write_report(
    db_path: str | os.PathLike[str], out_dir: str | os.PathLike[str], *, wait_seconds: float = DEFAULT_READ_WAIT
) -> ReportResult:
    """Write ``outlets_weekly.png``, ``departments.png``, ``stories.png`` and ``index.html`` into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with open_readonly(db_path, wait_seconds=wait_seconds) as con:
        weekly = con.execute(_WEEKLY).fetchall()
        departments = con.execute(_DEPARTMENTS).fetchall()
        stories = con.execute(_STORIES).fetchall()
        outlets = con.execute(_OUTLETS).fetchall()
    charts = [
        _weekly_chart(weekly, out / "outlets_weekly.png"),
        _departments_chart(departments, out / "departments.png"),
        _stories_chart(stories, out / "stories.png"),
    ]
    total = sum(int(row[2]) for row in outlets)
    page = out / "index.html"
    page.write_text(_page(charts, outlets, total), encoding="utf-8")
    return ReportResult(page, charts, total)


def _figure(title: str) -> tuple[Any, Any]:
    fig, ax = plt.subplots(figsize=SIZE, dpi=DPI)
    ax.set_title(title)
    return fig, ax


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=DPI, format="png")  # no bbox_inches="tight": it would change the size
    plt.close(fig)
    return path


def _empty(ax: Any) -> None:
    ax.text(0.5, 0.5, "no articles yet", ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()


def _weekly_chart(rows: list[tuple[Any, ...]], path: Path) -> Path:
    """One line per outlet (the biggest ``TOP_OUTLETS``, the rest summed as 'others')."""
    fig, ax = _figure("Articles per outlet per week (publication date)")
    if not rows:
        _empty(ax)
        return _save(fig, path)
    totals: dict[str, int] = {}
    for outlet, _, n in rows:
        totals[outlet] = totals.get(outlet, 0) + int(n)
    top = sorted(totals, key=lambda o: (-totals[o], o))[:TOP_OUTLETS]
    weeks = sorted({week for _, week, _ in rows})
    series: dict[str, dict[Any, int]] = {name: {} for name in [*top, "others"]}
    for outlet, week, n in rows:
        name = outlet if outlet in top else "others"
        series[name][week] = series[name].get(week, 0) + int(n)
    colours = plt.get_cmap("tab20").colors
    for index, (name, counts) in enumerate(series.items()):
        if counts:
            style: dict[str, Any] = {"color": "grey", "linestyle": "--"} if name == "others" else {}
            style.setdefault("color", colours[index % len(colours)])
            ax.plot(weeks, [counts.get(w, 0) for w in weeks], label=name, linewidth=1.2, **style)
    ax.set_ylabel("articles")
    ax.legend(fontsize="small", ncol=2, loc="upper left")
    fig.autofmt_xdate()
    return _save(fig, path)


def _departments_chart(rows: list[tuple[Any, ...]], path: Path) -> Path:
    fig, ax = _figure("Articles per department of the outlet")
    if not rows:
        _empty(ax)
        return _save(fig, path)
    labels = [f"{dept} ({outlets} outlet{'s' if outlets > 1 else ''})" for dept, _, outlets in rows]
    ax.barh(labels[::-1], [int(n) for _, n, _ in rows][::-1], color="#3b6ea5")
    ax.set_xlabel("articles")
    return _save(fig, path)


def _stories_chart(rows: list[tuple[Any, ...]], path: Path) -> Path:
    fig, ax = _figure(f"Stories covered by the most outlets (top {TOP_STORIES})")
    if not rows:
        _empty(ax)
        return _save(fig, path)
    labels = [_short(title or story_id) for story_id, _, _, title in rows]
    ax.barh(labels[::-1], [int(r[1]) for r in rows][::-1], color="#a55b3b")
    ax.set_xlabel("outlets")
    ax.xaxis.get_major_locator().set_params(integer=True)
    return _save(fig, path)


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _page(charts: list[Path], outlets: list[tuple[Any, ...]], total: int) -> str:
    rows = "\n".join(
        "<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row) + "</tr>"
        for row in outlets
    )
    images = "\n".join(
        f'<figure><img src="{c.name}" alt="{c.stem}" width="1200" height="600"></figure>' for c in charts
    )
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pressarchive report</title>
<style>body{{font-family:sans-serif;max-width:1240px;margin:auto}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:2px 8px}}td:nth-child(3){{text-align:right}}</style></head>
<body><h1>pressarchive report</h1><p>{total} articles, {len(outlets)} outlets; generated {now}.</p>
<table><tr><th>outlet</th><th>department</th><th>articles</th><th>first</th><th>last</th></tr>
{rows}
</table>
{images}
</body></html>
"""

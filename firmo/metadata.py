"""Small builders for what the Dagster UI shows at a glance: markdown tables and bar charts.

Kept free of Dagster imports so they are plain, testable functions; assets wrap the strings
in `MetadataValue.md`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A GitHub-flavoured markdown table (Dagster renders these in asset metadata)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def bar_chart(rows: Iterable[tuple[str, int]], *, width: int = 30, title: str | None = None) -> str:
    """A text bar chart in a markdown code block: readable in the UI without any image."""
    rows = list(rows)
    top = max((n for _, n in rows), default=0) or 1
    label_w = max((len(str(label)) for label, _ in rows), default=0)
    body = [
        f"{str(label).ljust(label_w)} {'█' * max(1 if n else 0, round(n / top * width))} {n:,}" for label, n in rows
    ]
    head = [title, ""] if title else []
    return "\n".join(head + ["```", *body, "```"])

"""The owner report as plain-text tables: what ``python -m console.analytics`` prints."""

from __future__ import annotations

from collections.abc import Sequence

from console.analytics_periods import Period, Report


def _pct(value: object) -> str:
    return "-" if value is None else f"{float(value) * 100:.1f}%"  # type: ignore[arg-type]


def _num(value: object, digits: int = 2) -> str:
    return "-" if value is None else f"{float(value):.{digits}f}"  # type: ignore[arg-type]


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Left-aligned columns (width counts a CJK character as two)."""

    def width(cell: str) -> int:
        return sum(
            2 if "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" else 1 for ch in cell
        )

    cells = [[str(c) for c in header], *[[str(c) for c in row] for row in rows]]
    widths = [max(width(row[i]) for row in cells) for i in range(len(header))]
    return "\n".join(
        "  ".join(c + " " * (w - width(c)) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in cells
    )


def period_rows(periods_: Sequence[Period]) -> list[list[object]]:
    """The period table's rows, formatted."""
    rows: list[list[object]] = []
    for p in periods_:
        r = p.row()
        reasons = ", ".join(f"{k}:{v}" for k, v in p.reasons.most_common()) or "-"
        intents = ", ".join(f"{k}:{v}" for k, v in p.top_intents(3)) or "-"
        rows.append([
            p.label, r["conversations"], _pct(r["automation_rate"]), _pct(r["handoff_rate"]),
            _pct(r["stuck_rate"]), reasons, _pct(r["fallback_rate"]), intents,
            _num(r["average_rating"]), _num(r["median_first_response_s"], 0),
        ])  # fmt: skip
    return rows


PERIOD_HEADER = ("period", "conv", "automated", "handoff", "stuck", "handoff reasons",
                 "fallback", "top intents", "rating", "1st reply s")  # fmt: skip


def render_text(report: Report) -> str:
    """The report as plain-text tables (the CLI's output)."""
    parts = [
        f"Owner report {report.start} .. {report.end}",
        "", "Per day", table(PERIOD_HEADER, period_rows(report.days)),
        "", "Per week", table(PERIOD_HEADER, period_rows(report.weeks)),
        "", "Whole range", table(PERIOD_HEADER, period_rows([report.total])),
        "", "Ratings by handling",
        table(("handling", "ratings", "average"),
              [(k, n, _num(a)) for k, (n, a) in report.by_handling.items()]),
        "", f"Returns and exchanges ({report.returns.total})",
        table(("reason", "name", "returns", "exchanges"), report.returns.by_reason),
        "", table(("product", "name", "returns", "exchanges"), report.returns.by_product),
        "", table(("size", "requests"), [(f"{s:g}", n) for s, n in report.returns.by_size]),
        "", "Fit notes to check",
        table(("product", "name", "size returns", "too small", "too large", "note now",
               "suggestion"),
              [(f.product_id, f.name, f.size_returns, f.too_small, f.too_large,
                f.fit_note or "-", f.suggestion or "(already noted)") for f in report.returns.fit]),
    ]  # fmt: skip
    return "\n".join(parts)

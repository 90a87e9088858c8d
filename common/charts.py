"""The rows of a chart's data table (templates/includes/chart.html)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ChartRow:
    label: str
    values: tuple[float | int, ...]

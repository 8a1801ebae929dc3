"""The report: real PNG images of the expected size, and an HTML page that embeds them."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from warehouse.load import load_batch
from warehouse.report import DPI, SIZE, write_report
from warehouse.synthetic import SyntheticSpec, generate


def test_report_on_a_synthetic_archive(tmp_path: Path) -> None:
    path = tmp_path / "archive.duckdb"
    for batch in generate(tmp_path / "staging", SyntheticSpec(600, batches=2, seed=3)):
        load_batch(path, batch, reindex=False)
    result = write_report(path, tmp_path / "report")
    assert result.articles >= 600
    names = sorted(c.name for c in result.charts)
    assert names == ["departments.png", "outlets_weekly.png", "stories.png"]
    expected = (int(SIZE[0] * DPI), int(SIZE[1] * DPI))
    for chart in result.charts:
        with Image.open(chart) as image:
            assert image.format == "PNG"
            assert image.size == expected
            image.verify()
        assert chart.stat().st_size > 10_000  # drawn, not a blank canvas
    page = result.html.read_text(encoding="utf-8")
    for name in names:
        assert f'src="{name}"' in page
    assert "Castres-Mazamet Technopole" in page and "<table>" in page


def test_report_on_an_empty_archive(tmp_path: Path) -> None:
    from warehouse.db import open_archive

    path = tmp_path / "archive.duckdb"
    with open_archive(path):
        pass
    result = write_report(path, tmp_path / "report")
    assert result.articles == 0
    for chart in result.charts:
        with Image.open(chart) as image:
            assert image.format == "PNG" and image.size == (int(SIZE[0] * DPI), int(SIZE[1] * DPI))

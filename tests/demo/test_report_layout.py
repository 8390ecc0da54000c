"""The demo report's layout, without running the demo: a list of sections, each a builder; a new
section is one builder more (what the Arena-slash section will be)."""

from __future__ import annotations

from rich.console import Console

from flock.demo import report
from flock.demo.report import SECTIONS, Section, markdown


class _Ctx:
    def __init__(self) -> None:
        self.console = Console(file=open("/dev/null", "w"))  # noqa: SIM115 - closed with the process
        self.notes: dict = {}


def test_markdown_tells_the_sections_in_order_with_captions_and_charts():
    sections = [
        Section("first", ["a", "b"], [["1", "x|y"]], "what to see", "chart.png"),
        Section("second", ["c"], [["2"]]),
    ]
    text = markdown(sections)
    assert text.index("## 1. first") < text.index("## 2. second")
    assert "1. [first](#1)" in text and "what to see" in text and "![first](chart.png)" in text
    assert "| 1 | x\\|y |" in text


def test_a_section_is_one_builder_more(tmp_path):
    def extra(ctx, out):
        (out / "extra.png").write_bytes(b"png")
        return Section("an extra section", ["who"], [["heidi"]], "added by a later change", "extra.png")

    def empty(ctx, out):
        return None  # a run without anything for it: left out

    written = report.run(_Ctx(), tmp_path, builders=[extra, empty])
    assert written == [tmp_path / "extra.png", tmp_path / report.SUMMARY]
    assert "## 1. an extra section" in (tmp_path / report.SUMMARY).read_text()
    assert report.arena_section in SECTIONS and report.slash_section in SECTIONS

"""Coverage reports: per contract and per function, lines and branches, as a console table,
lcov (reports/coverage/lcov.info), HTML (reports/coverage/html/index.html) and
reports/coverage.json (``{"lines": pct, "branches": pct, "contracts": {name: {...}}}``).

``python -m flock.audit.coverage_report`` merges the parts the test processes saved and writes
everything; ``make coverage`` runs the tests with coverage on, then this.
"""

from __future__ import annotations

import html
import json
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from flock.audit import jumps, srcmap
from flock.audit.coverage import Coverage, load_parts
from flock.files import atomic_write_text
from flock.paths import REPORTS_DIR

LINE_GOAL = 95.0
BRANCH_GOAL = 90.0


@dataclass
class FileResult:
    name: str
    source: str
    text: str
    lines: dict[int, bool] = field(default_factory=dict)  # executable line -> hit
    line_function: dict[int, str] = field(default_factory=dict)
    branches: list[tuple[srcmap.Branch, bool]] = field(default_factory=list)
    functions: dict[str, int] = field(default_factory=dict)

    @property
    def line_pct(self) -> float:
        return _pct(sum(self.lines.values()), len(self.lines))

    @property
    def branch_pct(self) -> float:
        return _pct(sum(hit for _, hit in self.branches), len(self.branches))

    def function_rows(self) -> list[tuple[str, int, int, int, int]]:
        rows = []
        for fn in self.functions:
            lines = [hit for line, hit in self.lines.items() if self.line_function.get(line) == fn]
            branches = [hit for b, hit in self.branches if b.function == fn]
            rows.append((fn, sum(lines), len(lines), sum(branches), len(branches)))
        return rows


def _pct(hit: int, total: int) -> float:
    return 100.0 if total == 0 else round(100.0 * hit / total, 2)


def _inside(r: tuple[int, int, int], span: tuple[int, int]) -> bool:
    return span[0] <= r[0] and r[0] + r[1] <= span[1]


def _lines_with_code(profile: srcmap.ContractProfile) -> set[int]:
    """Lines of statements the compiler emitted code for (in any contract's runtime or creation
    code): a declaration without a value, or a statement the optimizer folded into another, has
    none, and cannot be executed on its own."""
    ranges = {
        r
        for other in srcmap.load_profiles().values()
        for codemap in (other.runtime, other.creation)
        for r in codemap.ranges
        if r[2] == profile.file_index
    }
    lines = set()
    for r in ranges:
        found = profile.statement_at(r[0], r[1])
        if found:
            lines.add(found[0])
    return lines


def analyse(coverage: Coverage) -> list[FileResult]:
    results = []
    JUMP_DOUBTS.clear()
    for name, profile in sorted(srcmap.load_profiles().items()):
        if not profile.lines and not profile.branches:
            continue
        mine = [r for r in coverage.ranges if r[2] == profile.file_index]
        hit_lines: set[int] = set()
        for r in mine:
            found = profile.statement_at(r[0], r[1])
            if found:
                hit_lines.add(found[0])
        # A jump's destination may be code without a source (-1) or in another file: outside any arm.
        edges = [
            (a, b if b[2] == profile.file_index else (-1, 0, -1))
            for a, b in coverage.edges
            if a[2] == profile.file_index
        ]
        result = FileResult(name, profile.source, profile.text, functions=dict(profile.functions))
        with_code = _lines_with_code(profile)
        for line, fn in sorted(profile.lines.items()):
            if line not in with_code:
                continue
            result.lines[line] = line in hit_lines
            result.line_function[line] = fn
        for branch in profile.branches:
            hit = _branch_hit(branch, profile, mine, edges)
            if not hit and jumps.arm_taken(branch, profile, coverage.jumps):
                hit = not _contradicted(branch, profile, mine)
                if not hit:
                    JUMP_DOUBTS.append(f"{profile.source}:{branch.line}:{branch.arm}")
            result.branches.append((branch, hit))
        results.append(result)
    return results


# Arms a jump proved taken although code that only that arm runs did not run (none expected:
# decision 200's rule is built not to; if one appears it is not counted, and the report says so).
JUMP_DOUBTS: list[str] = []


def _contradicted(branch: srcmap.Branch, profile: srcmap.ContractProfile, mine: list) -> bool:
    """The arm has code of its own (or, for a missing else after a leaving body, a next statement
    with code) and none of it ran."""
    span = branch.body if branch.body is not None else branch.after
    if span is None:
        return False
    with_code = [r for r in _file_ranges(profile.file_index) if _inside(r, span)]
    return bool(with_code) and not any(_inside(r, span) for r in mine)


@cache
def _file_ranges(file_index: int) -> frozenset[tuple[int, int, int]]:
    return frozenset(
        r
        for other in srcmap.load_profiles().values()
        for codemap in (other.runtime, other.creation)
        for r in codemap.ranges
        if r[2] == file_index
    )


def _branch_hit(branch: srcmap.Branch, profile: srcmap.ContractProfile, mine: list, edges: list) -> bool:
    if branch.body is not None:
        return any(_inside(r, branch.body) for r in mine)
    # A missing else after a body that always leaves: the next statement ran.
    if branch.after is not None and any(_inside(r, branch.after) for r in mine):
        return True
    # Otherwise: the condition's jump went somewhere other than the true body.
    sibling = next(b for b in profile.branches if b.node == branch.node and b.arm == "true")
    true_body = sibling.body or (0, 0)
    statement = (branch.cond[0], max(true_body[1], branch.cond[1]))
    return any(
        _inside(a, statement)
        and not _inside(a, true_body)
        and not _inside(b, true_body)
        and not _inside(b, branch.cond)
        for a, b in edges
    )


def summary(results: list[FileResult]) -> dict:
    lines_hit = sum(sum(r.lines.values()) for r in results)
    lines_total = sum(len(r.lines) for r in results)
    br_hit = sum(sum(h for _, h in r.branches) for r in results)
    br_total = sum(len(r.branches) for r in results)
    return {
        "lines": _pct(lines_hit, lines_total),
        "branches": _pct(br_hit, br_total),
        "contracts": {r.name: {"lines": r.line_pct, "branches": r.branch_pct} for r in results},
    }


def lcov(results: list[FileResult]) -> str:
    out = []
    for r in results:
        out.append("TN:")
        out.append(f"SF:{r.source}")
        rows = r.function_rows()
        for fn, *_ in rows:
            out.append(f"FN:{r.functions[fn]},{fn}")
        for fn, hit, _total, _bh, _bt in rows:
            out.append(f"FNDA:{1 if hit else 0},{fn}")
        out.append(f"FNF:{len(rows)}")
        out.append(f"FNH:{sum(1 for row in rows if row[1])}")
        for i, (b, hit) in enumerate(r.branches):
            out.append(f"BRDA:{b.line},{b.node},{i % 2},{1 if hit else '-'}")
        out.append(f"BRF:{len(r.branches)}")
        out.append(f"BRH:{sum(h for _, h in r.branches)}")
        for line, hit in sorted(r.lines.items()):
            out.append(f"DA:{line},{1 if hit else 0}")
        out.append(f"LF:{len(r.lines)}")
        out.append(f"LH:{sum(r.lines.values())}")
        out.append("end_of_record")
    return "\n".join(out) + "\n"


def html_pages(results: list[FileResult], directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    rows = []
    for r in results:
        page = f"{r.name}.html"
        rows.append(
            f"<tr><td><a href='{page}'>{html.escape(r.name)}</a></td><td>{r.line_pct}%</td>"
            f"<td>{r.branch_pct}%</td></tr>"
        )
        missed_arms: dict[int, list[str]] = {}
        for b, hit in r.branches:
            if not hit:
                missed_arms.setdefault(b.line, []).append(b.arm)
        body = []
        for number, text in enumerate(r.text.splitlines(), start=1):
            hit = r.lines.get(number)
            css = "" if hit is None else ("hit" if hit else "miss")
            note = (
                f" <span class='br'>branch not taken: {', '.join(missed_arms[number])}</span>"
                if number in missed_arms
                else ""
            )
            body.append(
                f"<tr class='{css}'><td>{number}</td><td><pre>{html.escape(text)}</pre>{note}</td></tr>"
            )
        fn_rows = "".join(
            f"<tr><td>{html.escape(fn)}</td><td>{h}/{t}</td><td>{bh}/{bt}</td></tr>"
            for fn, h, t, bh, bt in r.function_rows()
        )
        atomic_write_text(
            directory / page,
            f"<html><head><meta charset='utf-8'><title>{r.name}</title>{_STYLE}</head><body>"
            f"<h1>{html.escape(r.source)}</h1><p>lines {r.line_pct}%, branches {r.branch_pct}%</p>"
            f"<table><tr><th>function</th><th>lines</th><th>branches</th></tr>{fn_rows}</table>"
            f"<table class='src'>{''.join(body)}</table></body></html>\n",
        )
    atomic_write_text(
        directory / "index.html",
        f"<html><head><meta charset='utf-8'><title>coverage</title>{_STYLE}</head><body><h1>contracts/</h1>"
        f"<table><tr><th>contract</th><th>lines</th><th>branches</th></tr>{''.join(rows)}</table></body></html>\n",
    )


_STYLE = (
    "<style>body{font-family:sans-serif}pre{margin:0}td{padding:0 6px}.hit{background:#dfd}"
    ".miss{background:#fdd}.br{color:#a00;font-size:small}</style>"
)


def table(results: list[FileResult], totals: dict) -> str:
    width = max(len(r.name) for r in results)
    lines = [f"{'contract':<{width}}  {'lines':>14}  {'branches':>14}"]
    for r in results:
        lh, lt = sum(r.lines.values()), len(r.lines)
        bh, bt = sum(h for _, h in r.branches), len(r.branches)
        lines.append(
            f"{r.name:<{width}}  {lh:>4}/{lt:<4} {r.line_pct:>5.1f}%  {bh:>4}/{bt:<4} {r.branch_pct:>5.1f}%"
        )
    lines.append(f"{'total':<{width}}  {totals['lines']:>13.1f}%  {totals['branches']:>13.1f}%")
    lines.append(f"goals: lines >= {LINE_GOAL}%, branches >= {BRANCH_GOAL}%")
    return "\n".join(lines)


def uncovered(results: list[FileResult]) -> str:
    out = []
    for r in results:
        missed = [line for line, hit in sorted(r.lines.items()) if not hit]
        arms = [f"{b.line}:{b.arm}" for b, hit in r.branches if not hit]
        if missed or arms:
            out.append(f"{r.source}: lines {missed}; branches {arms}")
    return "\n".join(out)


def write_reports(coverage: Coverage, reports: Path = REPORTS_DIR) -> dict:
    results = analyse(coverage)
    totals = summary(results)
    atomic_write_text(reports / "coverage.json", json.dumps(totals, indent=2) + "\n")
    atomic_write_text(reports / "coverage" / "lcov.info", lcov(results))
    atomic_write_text(reports / "coverage" / "uncovered.txt", uncovered(results) + "\n")
    html_pages(results, reports / "coverage" / "html")
    print(table(results, totals))
    where = reports / "coverage"
    print(f"{coverage.transactions} traced transactions; lcov, HTML and the uncovered lines in {where}")
    if JUMP_DOUBTS:
        first, doubts = JUMP_DOUBTS[0], len(JUMP_DOUBTS)
        print(f"coverage: {doubts} arm(s) a jump proved are not counted (none of their code ran): {first}")
    return totals


def main(argv: list[str]) -> int:
    coverage = load_parts(REPORTS_DIR)
    if coverage.transactions == 0:
        print("error: no coverage data: run the tests with coverage first (make coverage)", file=sys.stderr)
        return 1
    write_reports(coverage)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Mutation testing of contracts/ (``make mutate``): universalmutator's mutants, each run against the
tests of its contract's area, the score and the survivors' diffs in reports/.

- ``plan``: universalmutator (its own venv, .mutate-venv) mutates every file of contracts/; only
  mutants that change an executable line (a statement, from the compiler's AST: flock/audit/
  srcmap.py) are kept, deduplicated, each with a stable id (a digest of file and mutated text).
  The plan is .mutants/plan.json.
- ``run``: workers take mutants from the plan (or a seeded sample of it) and write one result
  file per mutant in .mutants/results/. A mutant is claimed by creating its claim file exclusively,
  so several workers (``--jobs``, or several ``make mutate`` at once) never run the same mutant, and
  a run stopped anywhere resumes where it was: finished mutants are never run again. Each worker
  has its own copy of the project (.mutants/work/<n>/: sources, tests and the Python package, with
  the toolchain linked), compiles the mutant there with ``ape compile``, then runs the area's
  property tests (the in-process harness: fast), and only if they pass its unit tests (ape, anvil).
  A mutant that does not compile is stillborn and not counted. Its result names the stage and the
  test that killed it (pytest's first FAILED or ERROR line). Every compile and test stage runs in
  a session of its own, ended whole (ape and its anvil) on a timeout or an interrupt.
- ``report``: reports/mutation.json ``{"mutants", "killed", "survived", "equivalent", "score",
  "stillborn", "planned"}``, reports/mutation/survivors/<id>.diff and reports/mutation/mutants.tsv
  (each finished mutant: line, status, the stage and the test that killed it). Mutants listed in
  audit/mutation/equivalent.txt (``<id> <reason>``, one a line) are equivalent: marked once, with
  the reason, and not counted in the score.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from flock.files import atomic_write_text
from flock.paths import PROJECT_ROOT, REPORTS_DIR

STATE = PROJECT_ROOT / ".mutants"
PLAN = STATE / "plan.json"
RESULTS = STATE / "results"
CLAIMS = STATE / "claims"
EQUIVALENT = PROJECT_ROOT / "audit" / "mutation" / "equivalent.txt"
MUTATE = PROJECT_ROOT / ".mutate-venv" / "bin" / "mutate"
APE = PROJECT_ROOT / ".venv" / "bin" / "ape"

# The tests of each contract's area: property tests (harness) first, then unit tests (anvil).
AREAS: dict[str, tuple[list[str], list[str]]] = {
    "GmFlock": (["tests/property/test_staking_invariants.py"], ["tests/staking"]),
    "PackedCheckpoints": (["tests/property/test_staking_invariants.py"], ["tests/staking"]),
    "FlockToken": (["tests/property/test_staking_invariants.py"], ["tests/token"]),
    "TaskRegistry": (["tests/property/test_task_invariants.py"], ["tests/tasks"]),
    "EmissionController": (["tests/property/test_task_invariants.py"], ["tests/emissions"]),
    "RewardDistributor": (["tests/property/test_reward_invariants.py"], ["tests/rewards"]),
    "RewardPot": (["tests/property/test_reward_invariants.py"], ["tests/rewards"]),
    "ArenaSubmissions": (["tests/property/test_system_invariants.py"], ["tests/rewards"]),
    "AllianceRounds": (["tests/property/test_alliance_invariants.py"], ["tests/alliance"]),
    "FlockGovernor": (["tests/property/test_access_invariants.py"], ["tests/governance"]),
    "FlockTimelock": (["tests/property/test_access_invariants.py"], ["tests/governance"]),
    "ApiCredits": (["tests/property/test_api_invariants.py"], ["tests/api/test_api_credits.py"]),
    "ArenaSlasher": (["tests/property/test_system_invariants.py"], ["tests/rewards"]),
    "AllianceSettlement": (["tests/property/test_alliance_invariants.py"], ["tests/alliance"]),
    "AllianceRoundsStorage": (["tests/property/test_alliance_invariants.py"], ["tests/alliance"]),
    "TaskLifecycle": (["tests/property/test_task_invariants.py"], ["tests/tasks"]),
    "TaskRegistryStorage": (["tests/property/test_task_invariants.py"], ["tests/tasks"]),
    "FlockProxy": (["tests/property/test_access_invariants.py"], ["tests/upgrades", "tests/deploy"]),
    "DelegationPool": (["tests/property/test_task_invariants.py"], ["tests/tasks"]),
    "TaskStatus": (["tests/property/test_task_invariants.py"], ["tests/tasks", "tests/rewards"]),
    "RoleDraw": (["tests/property/test_alliance_invariants.py"], ["tests/alliance"]),
    "SettlementRules": (["tests/property/test_alliance_invariants.py"], ["tests/alliance"]),
    "GenesisVesting": ([], ["tests/deploy/test_genesis_rule.py", "tests/token"]),
    # Libraries: the areas of the contracts that use them.
    "SlashScale": (
        ["tests/property/test_staking_invariants.py", "tests/property/test_task_invariants.py"],
        ["tests/staking", "tests/tasks"],
    ),
    "Quorum": (
        ["tests/property/test_reward_invariants.py"],
        ["tests/rewards", "tests/api", "tests/governance"],
    ),
    "EpochClock": (
        ["tests/property/test_task_invariants.py"],
        ["tests/emissions", "tests/rewards", "tests/api"],
    ),
    "ModuleCall": (["tests/property/test_task_invariants.py"], ["tests/tasks"]),
}
# What a worker's copy of the project contains (copied) and shares (linked).
_COPIED = (
    "contracts",
    "interfaces",
    "tests",
    "flock",
    "scripts",
    "config",
    "ape-config.yaml",
    "pyproject.toml",
    ".build",  # the project's build: a mutant's compile starts warm (only what changed)
)
_LINKED = ("node_modules", ".solcx", ".bin", "deployments", "docs", "abi")


_PARSE_CHUNK = 40  # mutants per parse-only solc call (solc-js fails on one huge input)


class MutationError(RuntimeError):
    """A step failed; the message says which."""


@dataclass(frozen=True)
class Mutant:
    id: str
    file: str  # relative to the project
    line: int
    original: str
    mutated: str  # the mutated line
    occurrence: int = 0  # which of the file's lines with the original's text (ids survive line moves)

    @property
    def contract(self) -> str:
        return Path(self.file).stem


# ------------------------------------------------------------------------------------------- plan


def _executable_lines() -> dict[str, set[int]]:
    from flock.audit import srcmap

    lines: dict[str, set[int]] = {}
    for profile in srcmap.load_profiles().values():
        lines.setdefault(profile.source, set()).update(profile.lines)
    return lines


def mutant_id(source: str, original: list[str], line: int, mutated: str) -> str:
    """A mutant's id from what it changes, not where: the file, the original line's text, which of
    the file's lines with that same text it is, and the mutated text. Lines moving (a merge adding
    code above) keep every id, so the equivalents list and finished results stay valid."""
    key = f"{source}\0{original[line].strip()}\0{occurrence_of(original, line)}\0{mutated.strip()}"
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def occurrence_of(original: list[str], line: int) -> int:
    """Which of the file's lines with this line's text it is (0 for the first)."""
    text = original[line].strip()
    return sum(1 for other in original[:line] if other.strip() == text)


def locate(mutant: Mutant, lines: list[str]) -> int | None:
    """The index of the mutant's line in the file now (same text, same occurrence), or None."""
    seen = 0
    for i, line in enumerate(lines):
        if line.strip() == mutant.original.strip():
            if seen == mutant.occurrence:
                return i
            seen += 1
    return None


def plan(files: list[Path]) -> list[Mutant]:
    if not MUTATE.is_file():
        raise MutationError("universalmutator is not installed: run `make mutate` (it sets up .mutate-venv)")
    executable = _executable_lines()
    mutants: dict[str, Mutant] = {}
    for path in files:
        source = str(path.relative_to(PROJECT_ROOT))
        original = path.read_text().splitlines()
        with tempfile.TemporaryDirectory() as out:
            subprocess.run(
                [str(MUTATE), str(path), "solidity", "--noCheck", "--mutantDir", out],
                cwd=out,  # universalmutator leaves .tmp_mutant files in its working folder
                capture_output=True,
                check=True,
            )
            for produced in sorted(Path(out).glob("*.sol")):
                changed = produced.read_text().splitlines()
                if len(changed) != len(original):
                    continue
                diff = [i for i, (a, b) in enumerate(zip(original, changed, strict=True)) if a != b]
                if len(diff) != 1 or diff[0] + 1 not in executable.get(source, set()):
                    continue
                line = diff[0]
                digest = mutant_id(source, original, line, changed[line])
                mutants[digest] = Mutant(
                    digest, source, line + 1, original[line], changed[line], occurrence_of(original, line)
                )
    ordered = sorted(mutants.values(), key=lambda m: (m.file, m.line, m.id))
    atomic_write_text(PLAN, json.dumps([asdict(m) for m in ordered], indent=1) + "\n")
    return ordered


def _parsable(mutants: list[Mutant]) -> list[Mutant]:
    """Drops mutants that are not even Solidity (``>==``, ``uint-1``, a lost ``if``): one solc call
    parses up to 40 (``stopAfter: parsing``), so only type errors are left to the per-mutant compile.
    Run over the mutants chosen to run only (``select``), not the whole plan: a file's thousands of
    mutants took 17 minutes of solc-js to check, for a sample of a few dozen."""
    from flock.audit.srcmap import SOLC

    texts = {m.file: (PROJECT_ROOT / m.file).read_text().splitlines(keepends=True) for m in mutants}
    sources = {}
    for m in mutants:
        lines = list(texts[m.file])
        lines[m.line - 1] = m.mutated + "\n"
        sources[f"mutant/{m.id}.sol"] = {"content": "".join(lines)}
    broken: set[str] = set()
    names = sorted(sources)
    for start in range(0, len(names), _PARSE_CHUNK):  # solc-js (WASM) fails on one huge input
        chunk = {name: sources[name] for name in names[start : start + _PARSE_CHUNK]}
        request = json.dumps({"language": "Solidity", "sources": chunk, "settings": {"stopAfter": "parsing"}})
        done = subprocess.run(
            [str(SOLC), "--standard-json"], input=request, capture_output=True, text=True, cwd=PROJECT_ROOT
        )
        if not done.stdout.strip():
            # solc-js gave up on this chunk: keep its mutants (the compile step sorts them out).
            print(
                f"parse check skipped for {len(chunk)} mutants: {done.stderr.strip()[:80]}", file=sys.stderr
            )
            continue
        for error in json.loads(done.stdout).get("errors", []):
            if error.get("severity") == "error" and error.get("sourceLocation"):
                broken.add(error["sourceLocation"]["file"].removeprefix("mutant/").removesuffix(".sol"))
    return [m for m in mutants if m.id not in broken]


def load_plan() -> list[Mutant]:
    if not PLAN.is_file():
        raise MutationError("no mutation plan: run `python -m flock.audit.mutate plan` first")
    return [Mutant(**m) for m in json.loads(PLAN.read_text())]


def equivalents() -> dict[str, str]:
    if not EQUIVALENT.is_file():
        return {}
    marked = {}
    for raw in EQUIVALENT.read_text().splitlines():
        text = raw.strip()
        if text and not text.startswith("#"):
            mutant_id, _, reason = text.partition(" ")
            marked[mutant_id] = reason.strip()
    return marked


# -------------------------------------------------------------------------------------------- run


def _workspace(n: int) -> Path:
    work = STATE / "work" / str(n)
    if not (work / ".ready").is_file():
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        for name in _COPIED:
            src = PROJECT_ROOT / name
            if src.is_dir():
                shutil.copytree(src, work / name, ignore=shutil.ignore_patterns("__pycache__", ".cache"))
            elif src.is_file():
                shutil.copy2(src, work / name)
        for name in _LINKED:
            if (PROJECT_ROOT / name).exists():
                (work / name).symlink_to(PROJECT_ROOT / name)
        (work / ".ready").write_text("ok\n")
    else:  # tests written during a run (to kill a survivor), or merged, count for the next mutant
        for name in ("tests", "flock"):
            shutil.copytree(
                PROJECT_ROOT / name,
                work / name,
                ignore=shutil.ignore_patterns("__pycache__", ".cache"),
                dirs_exist_ok=True,
            )
        _restore_sources(work)
    return work


def _restore_sources(work: Path) -> None:
    """Makes every contract and interface of the copy the project's: a worker stopped mid-mutant
    (a signal, the machine) leaves its mutated file behind, which would otherwise ride along with
    every later mutant, and a merge changes sources under a running worker. Only differing files
    are written, so the build stays warm."""
    for path in [*(PROJECT_ROOT / "contracts").rglob("*.sol"), *(PROJECT_ROOT / "interfaces").rglob("*.sol")]:
        copy = work / path.relative_to(PROJECT_ROOT)
        text = path.read_text()
        if not copy.is_file() or copy.read_text() != text:
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_text(text)


def _env(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(work),  # the copy's flock package before the editable install's
        SOLCX_BINARY_PATH=str(PROJECT_ROOT / ".solcx"),
        APE_DATA_FOLDER=str(work / ".ape-data"),
        PATH=f"{PROJECT_ROOT / '.bin'}:{PROJECT_ROOT / '.venv' / 'bin'}:{env.get('PATH', '')}",
        HYPOTHESIS_PROFILE="fast",  # tests/conftest.py: fewer examples; a mutant is usually caught early
    )
    return env


def _claim(mutant: Mutant) -> bool:
    CLAIMS.mkdir(parents=True, exist_ok=True)
    if (RESULTS / f"{mutant.id}.json").is_file():
        return False
    try:
        fd = os.open(CLAIMS / f"{mutant.id}.{os.getpid()}", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return False
    os.close(fd)
    others = [p for p in CLAIMS.glob(f"{mutant.id}.*") if p.name != f"{mutant.id}.{os.getpid()}"]
    live = [p for p in others if _alive(int(p.suffix[1:]))]
    if live:
        (CLAIMS / f"{mutant.id}.{os.getpid()}").unlink(missing_ok=True)
        return False
    for stale in others:
        stale.unlink(missing_ok=True)
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _group(cmd: list[str], cwd: Path, env: dict[str, str], timeout: int) -> tuple[int | None, str]:
    """Runs ``cmd`` in a session of its own; returns its exit code (None if it ran longer than
    ``timeout``) and its output. The whole session is ended on a timeout and when this process is
    interrupted (Ctrl-C, SIGTERM): ape's anvil and any other child go with it, none is left running."""
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _end_session(proc)
        return None, ""
    except BaseException:
        _end_session(proc)
        raise
    return proc.returncode, out.decode(errors="replace")


def _end_session(proc: subprocess.Popen) -> None:
    """SIGTERM to the child's whole session, SIGKILL to what is left after 10 s."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        try:  # the leader is gone; its children (anvil) may not be
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return


def failing_test(output: str) -> str:
    """The first test pytest reports as failed or in error (``FAILED tests/x.py::test - ...``)."""
    for line in output.splitlines():
        for mark in ("FAILED ", "ERROR "):
            if line.startswith(mark):
                return line[len(mark) :].split(" - ", 1)[0].strip()
    return ""


def _tests(work: Path, paths: list[str], env: dict[str, str], timeout: int) -> tuple[bool | None, str]:
    """(True, "") if the tests pass; (False, the failing test) if one fails; (None, "timeout") if
    they ran too long (counted as killed)."""
    existing = [p for p in paths if (work / p).exists()]
    if not existing:
        return True, ""
    code, output = _group(
        [str(APE), "test", *existing, "-x", "-q", "-p", "no:cacheprovider"], work, env, timeout
    )
    if code is None:
        return None, "timeout"
    return code == 0, "" if code == 0 else failing_test(output) or f"exit {code}"


def run_one(mutant: Mutant, worker: int, timeout: int) -> dict:
    work = _workspace(worker)
    env = _env(work)
    target = work / mutant.file
    original = (PROJECT_ROOT / mutant.file).read_text()
    lines = original.splitlines(keepends=True)
    index = locate(mutant, [line.rstrip("\n") for line in lines])
    if index is None:
        raise MutationError(f"{mutant.file} no longer has the line of mutant {mutant.id}: run the plan again")
    ending = "\n" if lines[index].endswith("\n") else ""
    indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
    lines[index] = indent + mutant.mutated.strip() + ending
    started = time.monotonic()
    try:
        target.write_text("".join(lines))
        # Only the changed files and what they import are compiled again, unless another contract
        # imports this file (a library, a base contract) or embeds its code (`new RewardPot(...)`):
        # then everything is, as ape does not recompile the importers of a changed file.
        force = ["--force"] if _used_elsewhere(mutant.file) else []
        code, _ = _group([str(APE), "compile", *force], work, env, timeout)
        test = ""
        if code != 0:
            status, by = "stillborn", "compiler"
        else:
            status, by = "survived", ""
            properties, units = AREAS.get(mutant.contract, ([], ["tests"]))
            for stage, paths in (("property", properties), ("unit", units)):
                passed, test = _tests(work, paths, env, timeout)
                if passed is not True:
                    status, by = "killed", stage
                    break
    finally:
        target.write_text(original)
    seconds = round(time.monotonic() - started, 1)
    result = {**asdict(mutant), "status": status, "by": by, "test": test, "seconds": seconds}
    atomic_write_text(RESULTS / f"{mutant.id}.json", json.dumps(result) + "\n")
    return result


def _used_elsewhere(file: str, root: Path = PROJECT_ROOT) -> bool:
    """Whether another file of contracts/ imports this one (a library's or base contract's code is
    compiled into the importer's) or creates it (its creation code is part of the creator's)."""
    name = Path(file).name
    needles = (f"new {Path(file).stem}(", f'/{name}"', f'"{name}"')
    for path in (root / "contracts").rglob("*.sol"):
        if path.relative_to(root).as_posix() != Path(file).as_posix():
            text = path.read_text()
            if any(needle in text for needle in needles):
                return True
    return False


def select(
    mutants: list[Mutant],
    only: str | None,
    sample: int | None,
    seed: int,
    parsable: Callable[[list[Mutant]], list[Mutant]] | None = None,
) -> list[Mutant]:
    """The mutants to run: those of files matching ``only``, not marked equivalent, whose line is
    still there and which solc can parse; with ``sample``, the first ``sample`` parsable ones in a
    seeded shuffle (so only those and a few more are parse-checked)."""
    parsable = parsable or _parsable
    chosen = [m for m in mutants if only is None or only in m.file]
    skip = equivalents()
    chosen = [m for m in chosen if m.id not in skip]
    texts = {m.file: (PROJECT_ROOT / m.file).read_text().splitlines() for m in chosen}
    here = [m for m in chosen if locate(m, texts[m.file]) is not None]
    if len(here) < len(chosen):
        print(f"{len(chosen) - len(here)} planned mutants' lines are gone from contracts/ (plan again)")
    if sample is None:
        return parsable(here)
    order = list(here)
    random.Random(seed).shuffle(order)
    chosen = []
    for start in range(0, len(order), _PARSE_CHUNK):
        chosen += parsable(order[start : start + _PARSE_CHUNK])
        if len(chosen) >= sample:
            break
    return chosen[:sample]


def _stop(signum: int, _frame: object) -> None:
    """SIGTERM as an interrupt: the running mutant's file is put back and its tests' session
    (ape, anvil) is ended on the way out."""
    raise KeyboardInterrupt(f"signal {signum}")


def run(mutants: list[Mutant], jobs: int, timeout: int) -> None:
    def work(worker: int) -> None:
        for mutant in mutants:
            if _claim(mutant):
                result = run_one(mutant, worker, timeout)
                outcome = f"{result['status']} {result['by']} {result['test']}".rstrip()
                print(f"[{worker}] {mutant.id} {mutant.file}:{mutant.line} {outcome}")
                sys.stdout.flush()

    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        if jobs <= 1:
            work(0)
            return
        children = []
        try:
            for worker in range(jobs):
                pid = os.fork()
                if pid == 0:
                    try:
                        work(worker)
                    finally:
                        os._exit(0)
                children.append(pid)
            for pid in children:
                os.waitpid(pid, 0)
        except BaseException:
            for pid in children:  # each worker ends its own tests' session, then exits
                if _alive(pid):
                    os.kill(pid, signal.SIGTERM)
            for pid in children:
                os.waitpid(pid, 0)
            raise
    finally:
        signal.signal(signal.SIGTERM, previous)


# ----------------------------------------------------------------------------------------- report


def report() -> dict:
    marked = equivalents()
    results = [json.loads(p.read_text()) for p in sorted(RESULTS.glob("*.json"))] if RESULTS.is_dir() else []
    counted = [r for r in results if r["status"] in ("killed", "survived") and r["id"] not in marked]
    killed = sum(1 for r in counted if r["status"] == "killed")
    survived = [r for r in counted if r["status"] == "survived"]
    planned = len(load_plan()) if PLAN.is_file() else 0
    summary = {
        "mutants": len(counted),
        "killed": killed,
        "survived": len(survived),
        "equivalent": sum(1 for r in results if r["id"] in marked),
        "score": round(100.0 * killed / len(counted), 2) if counted else 0.0,
        "stillborn": sum(1 for r in results if r["status"] == "stillborn"),
        "planned": planned,
    }
    atomic_write_text(REPORTS_DIR / "mutation.json", json.dumps(summary, indent=2) + "\n")
    survivors = REPORTS_DIR / "mutation" / "survivors"
    shutil.rmtree(survivors, ignore_errors=True)
    survivors.mkdir(parents=True, exist_ok=True)
    for r in survived:
        diff = difflib.unified_diff(
            [r["original"] + "\n"],
            [r["mutated"] + "\n"],
            f"a/{r['file']}:{r['line']}",
            f"b/{r['file']}:{r['line']}",
        )
        atomic_write_text(survivors / f"{r['id']}.diff", "".join(diff))
    atomic_write_text(REPORTS_DIR / "mutation" / "mutants.tsv", mutant_table(results, marked))
    print(
        f"mutation score {summary['score']}%: {killed} killed of {len(counted)} run "
        f"({summary['equivalent']} equivalent, {summary['stillborn']} stillborn not counted; "
        f"{planned} planned); survivors' diffs in {survivors.relative_to(PROJECT_ROOT)}"
    )
    return summary


def mutant_table(results: list[dict], marked: dict[str, str]) -> str:
    """One line per finished mutant: id, file:line, status, the stage and the test that killed it."""
    rows = ["id\tline\tstatus\tstage\ttest"]
    for r in sorted(results, key=lambda r: (r["file"], r["line"], r["id"])):
        status = "equivalent" if r["id"] in marked else r["status"]
        rows.append(f"{r['id']}\t{r['file']}:{r['line']}\t{status}\t{r['by']}\t{r.get('test', '')}")
    return "\n".join(rows) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m flock.audit.mutate")
    sub = parser.add_subparsers(dest="command", required=True)
    p_plan = sub.add_parser("plan", help="generate the mutants of contracts/ (or --only FILE)")
    p_plan.add_argument("--only", help="a path fragment: only the files containing it")
    p_run = sub.add_parser("run", help="run planned mutants not run yet (resumable)")
    p_run.add_argument("--only", help="a path fragment: only mutants of the files containing it")
    p_run.add_argument("--sample", type=int, help="a seeded random sample of this many mutants")
    p_run.add_argument("--seed", type=int, default=18)
    p_run.add_argument("--jobs", type=int, default=1)
    p_run.add_argument("--timeout", type=int, default=900, help="seconds per compile or test stage")
    sub.add_parser("report", help="reports/mutation.json and the survivors' diffs")
    args = parser.parse_args(argv)
    try:
        if args.command == "plan":
            files = sorted((PROJECT_ROOT / "contracts").rglob("*.sol"))
            files = [f for f in files if args.only is None or args.only in str(f)]
            print(f"{len(plan(files))} mutants of executable lines in {len(files)} files -> {PLAN}")
        elif args.command == "run":
            run(select(load_plan(), args.only, args.sample, args.seed), args.jobs, args.timeout)
            report()
        else:
            report()
    except (MutationError, subprocess.CalledProcessError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: the mutant in progress was put back; `run` again resumes", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

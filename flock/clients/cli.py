"""`ape run train` (a training node) and `ape run validate` (a validator): thin command lines over
``flock.clients``. docs/oracle.md has the validator's runbook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from ape import chain

from flock.chain.protocol import LiveProtocol
from flock.cli import ConnectedCommand, UsageError, UserError, connection_options, console
from flock.clients.training import ModelJournal, commit_model, reveal_journaled, train_and_store
from flock.clients.validator import Journal, commit, reveal, reveal_blocks
from flock.models.evaluation import Evaluator, NGramEvaluator
from flock.oracle.chain import ChainView
from flock.paths import PROJECT_ROOT
from flock.prechecks import before_training, before_validation
from flock.rewards import Phase
from flock.store import ContentStore
from flock.units import relative_time

DATA = PROJECT_ROOT / "data"


def task_options(func: Any) -> Any:
    """--task and --store: the Arena task, and the content store of its models and score files."""
    options = [
        click.option("--task", type=int, required=True, help="an AI Arena task id"),
        click.option(
            "--store",
            type=click.Path(path_type=Path),
            default=DATA / "store",
            show_default=True,
            help="content-addressed folder (models, score files)",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def journal_option(what: str) -> Any:
    """--journal: where ``what`` wait for their reveal."""
    return click.option(
        "--journal",
        type=click.Path(path_type=Path),
        default=DATA / "journal",
        show_default=True,
        help=f"where {what} wait for their reveal",
    )


@click.command("train", cls=ConnectedCommand)
@connection_options()
@task_options
@click.option("--shard", type=int, required=True, help="this node's shard of the training text")
@click.option("--shards", type=int, required=True, help="how many shards the text is dealt into")
@click.option("--order", type=int, default=4, show_default=True, help="n-gram order (context length + 1)")
@journal_option("model commitments (hash, URI, salt)")
def train_cli(
    protocol: LiveProtocol,
    sender: Any,
    task: int,
    store: Path,
    shard: int,
    shards: int,
    order: int,
    journal: Path,
) -> None:
    """A training node: in the submit phase, train on its shard, store the model by hash and commit
    to it; in the model-reveal phase, reveal it. Run it once in each phase."""
    if not 0 <= shard < shards:
        raise UsageError(f"--shard must be in [0, {shards})")
    if order < 1:
        raise UsageError("--order must be at least 1")
    view = ChainView(protocol)
    epoch, phase, ends = _phase(view, "training nodes", Phase.SUBMIT, Phase.MODEL_REVEAL)
    if phase == Phase.MODEL_REVEAL:
        done = reveal_journaled(view.submissions, ModelJournal(journal), task, sender)
        console.print(f"epoch {epoch}: revealed {done.digest} ({done.uri})")
        return
    before_training(view, task, str(sender.address))  # role, phase, budget: before the work
    model = train_and_store(ContentStore(store), shard, shards, order)
    commit_model(view.submissions, task, model, sender, ModelJournal(journal))
    console.print(
        f"trained order {order} on shard {shard}/{shards} ({model.training_chars:,} chars); "
        f"committed to {model.digest} for task {task}, epoch {epoch}; reveal after {ends}"
    )


def _phase(view: ChainView, who: str, commit_phase: Phase, reveal_phase: Phase) -> tuple[int, int, int]:
    """The current epoch, its phase and the phase's end; refused outside the two phases (commit,
    reveal) in which ``who`` has work."""
    epoch, phase, ends = view.submissions.currentPhase()
    if phase not in (commit_phase, reveal_phase):
        names = [p.name.lower().replace("_", " ") for p in (Phase(phase), commit_phase, reveal_phase)]
        until = relative_time(int(ends), int(chain.blocks.head.timestamp))
        raise UserError(
            f"epoch {epoch} is in its {names[0]} phase, which ends {until}: {who} commit in the "
            f"{names[1]} phase and reveal in the {names[2]} phase"
        )
    return int(epoch), int(phase), int(ends)


def _evaluator(spec: str) -> Evaluator:
    if spec == "ngram":
        return NGramEvaluator()
    if spec == "hf":
        from flock.models.hf import EvaluatorUnavailable, HuggingFaceEvaluator

        try:
            return HuggingFaceEvaluator()
        except EvaluatorUnavailable as err:
            raise UserError(str(err)) from None
    raise UsageError(f"--evaluator {spec!r}: ngram or hf")


@click.command("validate", cls=ConnectedCommand)
@connection_options()
@task_options
@journal_option("commitments (file hash and salt)")
@click.option(
    "--evaluator", default="ngram", show_default=True, help="ngram, or hf (needs transformers installed)"
)
@click.option(
    "--lazy", "lazy_seed", type=int, default=None, help="write noise instead of evaluating (demo only)"
)
def validate_cli(
    protocol: LiveProtocol,
    sender: Any,
    task: int,
    store: Path,
    journal: Path,
    evaluator: str,
    lazy_seed: int | None,
) -> None:
    """A validator: in the commit phase, evaluate every submitted model, write the score file and
    commit to it; in the reveal phase, reveal it. Run it once in each phase."""
    chosen = _evaluator(evaluator) if lazy_seed is None else None
    view = ChainView(protocol)
    before_validation(view, task, str(sender.address))  # role and budget: before the work
    epoch, phase, ends = _phase(view, "validators", Phase.COMMIT, Phase.REVEAL)
    if phase == Phase.REVEAL:
        done = reveal(view.submissions, Journal(journal), task, sender)
        console.print(f"epoch {epoch}: revealed {done.file_hash}")
        return
    blocks = reveal_blocks(view.submissions, epoch, view.first_block())
    done = commit(
        view.submissions,
        Journal(journal),
        ContentStore(store),
        task,
        sender,
        evaluator=chosen,
        lazy_seed=lazy_seed,
        blocks=blocks,
    )
    console.print(f"the models revealed: {blocks.line()}")
    console.print(
        f"epoch {epoch}: scored, wrote {done.file_hash}, committed; reveal "
        f"{relative_time(int(ends), int(chain.blocks.head.timestamp))}"
    )

"""`ape run train` (a training node) and `ape run validate` (a validator): thin command lines over
``flock.clients``. docs/oracle.md has the validator's runbook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from ape import chain

from flock.chain.manifest import manifest_path
from flock.chain.protocol import LiveProtocol
from flock.clients.training import ModelJournal, commit_model, reveal_journaled, train_and_store
from flock.clients.validator import Journal, commit, reveal
from flock.clikit import DEFAULT_NETWORK, UserError, clean_errors, connected, console, load_sender, quiet_ape
from flock.models.evaluation import Evaluator, NGramEvaluator
from flock.oracle.chain import ChainView
from flock.paths import PROJECT_ROOT
from flock.prechecks import before_training, before_validation
from flock.rewards import Phase
from flock.store import ContentStore
from flock.units import relative_time

DATA = PROJECT_ROOT / "data"


def _connection(func: Any) -> Any:
    options = [
        click.option("--network", default=DEFAULT_NETWORK, show_default=True, help="ape network choice"),
        click.option("--manifest", "manifest_file", type=click.Path(path_type=Path), default=None),
        click.option("--account", default=None, help="ape account alias (test:N on a local chain)"),
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


def _view(manifest_file: Path | None, network: str) -> ChainView:
    return ChainView(LiveProtocol.load(manifest_file or manifest_path(network)))


@click.command("train")
@_connection
@click.option("--shard", type=int, required=True, help="this node's shard of the training text")
@click.option("--shards", type=int, required=True, help="how many shards the text is dealt into")
@click.option("--order", type=int, default=4, show_default=True, help="n-gram order (context length + 1)")
@click.option(
    "--journal",
    type=click.Path(path_type=Path),
    default=DATA / "journal",
    show_default=True,
    help="where model commitments (hash, URI, salt) wait for their reveal",
)
@clean_errors
def train_cli(
    network: str,
    manifest_file: Path | None,
    account: str | None,
    task: int,
    store: Path,
    shard: int,
    shards: int,
    order: int,
    journal: Path,
) -> None:
    """A training node: in the submit phase, train on its shard, store the model by hash and commit
    to it; in the model-reveal phase, reveal it. Run it once in each phase."""
    quiet_ape()
    if not 0 <= shard < shards:
        raise click.UsageError(f"--shard must be in [0, {shards})")
    if order < 1:
        raise click.UsageError("--order must be at least 1")
    with connected(network) as provider:
        node = load_sender(account, provider)
        view = _view(manifest_file, network)
        epoch, phase, ends = view.submissions.currentPhase()
        if phase == Phase.SUBMIT:
            before_training(view, task, str(node.address))  # role, phase, budget: before the work
            model = train_and_store(ContentStore(store), shard, shards, order)
            commit_model(view.submissions, task, model, node, ModelJournal(journal))
            console.print(
                f"trained order {order} on shard {shard}/{shards} ({model.training_chars:,} chars); "
                f"committed to {model.digest} for task {task}, epoch {epoch}; reveal after {ends}"
            )
        elif phase == Phase.MODEL_REVEAL:
            done = reveal_journaled(view.submissions, ModelJournal(journal), task, node)
            console.print(f"epoch {epoch}: revealed {done.digest} ({done.uri})")
        else:
            raise UserError(
                f"epoch {epoch} is in its {Phase(phase).name.lower().replace('_', ' ')} phase until {ends}: "
                "training nodes commit in the submit phase and reveal in the model reveal phase"
            )


def _evaluator(spec: str) -> Evaluator:
    if spec == "ngram":
        return NGramEvaluator()
    if spec == "hf":
        from flock.models.hf import EvaluatorUnavailable, HuggingFaceEvaluator

        try:
            return HuggingFaceEvaluator()
        except EvaluatorUnavailable as err:
            raise UserError(str(err)) from None
    raise click.UsageError(f"--evaluator {spec!r}: ngram or hf")


@click.command("validate")
@_connection
@click.option(
    "--journal",
    type=click.Path(path_type=Path),
    default=DATA / "journal",
    show_default=True,
    help="where commitments (file hash and salt) wait for their reveal",
)
@click.option(
    "--evaluator", default="ngram", show_default=True, help="ngram, or hf (needs transformers installed)"
)
@click.option(
    "--lazy", "lazy_seed", type=int, default=None, help="write noise instead of evaluating (demo only)"
)
@clean_errors
def validate_cli(
    network: str,
    manifest_file: Path | None,
    account: str | None,
    task: int,
    store: Path,
    journal: Path,
    evaluator: str,
    lazy_seed: int | None,
) -> None:
    """A validator: in the commit phase, evaluate every submitted model, write the score file and
    commit to it; in the reveal phase, reveal it. Run it once in each phase."""
    quiet_ape()
    chosen = _evaluator(evaluator) if lazy_seed is None else None
    with connected(network) as provider:
        validator = load_sender(account, provider)
        view = _view(manifest_file, network)
        before_validation(view, task, str(validator.address))  # role and budget: before the work
        epoch, phase, ends = view.submissions.currentPhase()
        if phase == Phase.COMMIT:
            done = commit(
                view.submissions,
                Journal(journal),
                ContentStore(store),
                task,
                validator,
                evaluator=chosen,
                lazy_seed=lazy_seed,
                from_block=view.first_block(),
            )
            console.print(
                f"epoch {epoch}: scored, wrote {done.file_hash}, committed; reveal "
                f"{relative_time(int(ends), int(chain.blocks.head.timestamp))}"
            )
        elif phase == Phase.REVEAL:
            done = reveal(view.submissions, Journal(journal), task, validator)
            console.print(f"epoch {epoch}: revealed {done.file_hash}")
        else:
            until = relative_time(int(ends), int(chain.blocks.head.timestamp))
            raise UserError(
                f"epoch {epoch} is in its {Phase(phase).name.lower()} phase, which ends {until}: validators "
                "commit in the commit phase and reveal in the reveal phase"
            )

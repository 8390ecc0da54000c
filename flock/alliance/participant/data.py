"""A participant's private data: its own file (never leaves its machine), or for a demo a shard of
one of the bundled datasets (``flock.alliance.data``), as the :class:`Shard` the client trains and
judges with.

- ``.npz``: arrays ``X`` (samples x features) and ``y`` (integer labels); optionally ``X_heldout``
  and ``y_heldout``, the split the participant judges candidates with (else a seeded
  ``heldout_fraction`` of the rows is held out).
- ``.csv``: numbers separated by commas, one sample per row, the label in the last column; a header
  row is skipped. The held-out split is a seeded fraction of the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from flock.alliance.data import DATASETS, DataError, Shard, Split, split

HELDOUT_FRACTION = 0.25
MIN_ROWS = 8
# A live proposer's candidate is its own local update, not a FedAvg of everyone's (decision 218):
# one epoch (the federation's step) leaves single-shard updates too weak and too unlike each other
# for the voters; ten make a candidate worth judging.
LOCAL_EPOCHS = 10
LOCAL_LR = 0.1


@dataclass(frozen=True)
class PrivateData:
    """A participant's shard and what its labels mean: ``classes`` labels 0..classes-1."""

    shard: Shard
    features: int
    classes: int
    lr: float = LOCAL_LR
    epochs: int = LOCAL_EPOCHS


def _checked(x: np.ndarray, y: np.ndarray, where: str) -> Split:
    if x.ndim != 2 or y.ndim != 1 or len(x) != len(y):
        raise DataError(f"{where}: X must be samples x features and y one label per sample")
    if not np.all(np.isfinite(x)):
        raise DataError(f"{where}: X has values that are not finite numbers")
    if len(y) and (np.any(y < 0) or np.any(y != np.round(y))):
        raise DataError(f"{where}: the labels must be whole numbers from 0")
    return Split(np.asarray(x, dtype=float), np.asarray(y, dtype=int))


def _hold_out(data: Split, fraction: float, seed: int) -> Shard:
    if len(data) < MIN_ROWS:
        raise DataError(f"{len(data)} samples: too few to train and judge with (at least {MIN_ROWS})")
    order = np.random.default_rng(seed).permutation(len(data))
    cut = len(order) - max(2, int(len(order) * fraction))
    train, held = order[:cut], order[cut:]
    return Shard(Split(data.x[train], data.y[train]), Split(data.x[held], data.y[held]))


def _load_npz(path: Path, fraction: float, seed: int) -> Shard:
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except (OSError, ValueError) as err:
        raise DataError(f"{path}: not a readable .npz file ({err})") from None
    if "X" not in arrays or "y" not in arrays:
        raise DataError(f"{path}: an .npz needs arrays X and y (has {', '.join(sorted(arrays)) or 'none'})")
    data = _checked(arrays["X"], arrays["y"], str(path))
    if "X_heldout" in arrays and "y_heldout" in arrays:
        return Shard(data, _checked(arrays["X_heldout"], arrays["y_heldout"], f"{path} (held-out)"))
    return _hold_out(data, fraction, seed)


def _load_csv(path: Path, fraction: float, seed: int) -> Shard:
    try:
        lines = [line for line in path.read_text().splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: not readable ({err})") from None
    rows = []
    for number, line in enumerate(lines, 1):
        try:
            rows.append([float(v) for v in line.split(",")])
        except ValueError:
            if number == 1:
                continue  # a header
            raise DataError(f"{path}, line {number}: not comma-separated numbers") from None
    if not rows or len({len(r) for r in rows}) != 1 or len(rows[0]) < 2:
        raise DataError(f"{path}: every row needs the same number of columns, features then the label")
    table = np.asarray(rows)
    return _hold_out(_checked(table[:, :-1], table[:, -1], str(path)), fraction, seed)


def load_file(
    path: Path,
    classes: int | None = None,
    heldout_fraction: float = HELDOUT_FRACTION,
    seed: int = 0,
    epochs: int = LOCAL_EPOCHS,
    lr: float = LOCAL_LR,
) -> PrivateData:
    """The participant's data from ``path`` (.npz or .csv). ``classes`` defaults to the largest
    label + 1."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"no data file at {path}")
    loaders = {".npz": _load_npz, ".csv": _load_csv}
    if path.suffix.lower() not in loaders:
        raise DataError(f"{path}: give an .npz (X, y) or a .csv (features, then the label) file")
    shard = loaders[path.suffix.lower()](path, heldout_fraction, seed)
    if shard.train.x.shape[1] != shard.heldout.x.shape[1]:
        raise DataError(f"{path}: the held-out split has another number of features")
    top = int(max(shard.train.y.max(initial=0), shard.heldout.y.max(initial=0)))
    if classes is not None and top >= classes:
        raise DataError(f"{path}: label {top} is out of range for {classes} classes")
    return PrivateData(shard, shard.train.x.shape[1], classes if classes is not None else top + 1, lr, epochs)


def parse_shard(text: str) -> tuple[int, int]:
    """``i/N`` (1 <= i <= N) as (i, N)."""
    index, _, count = text.partition("/")
    if not (index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise DataError(f"--shard {text!r}: expected i/N with 1 <= i <= N, such as 2/5")
    return int(index), int(count)


def load_shard(dataset: str, shard: str, seed: int = 7, epochs: int = LOCAL_EPOCHS) -> PrivateData:
    """Shard ``i/N`` of a bundled dataset, dealt as ``ape run alliance`` deals it (the same seed
    gives every participant of a demo a disjoint shard), trained with the dataset's learning rate."""
    index, count = parse_shard(shard)
    if dataset not in DATASETS:
        raise DataError(f"unknown dataset {dataset!r}; known: {', '.join(sorted(DATASETS))}")
    fed = split(dataset, count, seed=seed)
    spec = DATASETS[dataset]
    return PrivateData(fed.shards[index - 1], fed.features, fed.classes, spec.lr, epochs)

"""The Hugging Face evaluator: a clear error where its libraries are missing, and safe unpacking of
artifacts (it never writes outside its temporary folder)."""

import importlib.util
import io
import zipfile

import pytest

from flock.models.hf import EvaluatorUnavailable, HuggingFaceEvaluator, missing_libraries, unpack
from flock.models.ngram import ModelError


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_missing_libraries_is_a_clear_error(monkeypatch):
    """Whatever this environment has: pretend neither library is installed."""
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name in ("transformers", "torch") else real(name, *a),
    )
    assert missing_libraries() == ["transformers", "torch"]
    with pytest.raises(EvaluatorUnavailable, match=r"pip install transformers torch.*--evaluator ngram"):
        HuggingFaceEvaluator()


def test_unpack_finds_the_model_folder(tmp_path):
    folder = unpack(zipped({"tiny/config.json": b"{}", "tiny/model.safetensors": b"weights"}), tmp_path)
    assert folder == (tmp_path / "tiny").resolve()


@pytest.mark.parametrize(
    ("artifact", "message"),
    [
        (b"not a zip", "zip of a save_pretrained folder"),
        (zipped({"../../escape/config.json": b"{}"}), "escapes its folder"),
        (zipped({"weights.bin": b"x"}), "no config.json"),
    ],
)
def test_unpack_refuses_bad_artifacts(tmp_path, artifact, message):
    with pytest.raises(ModelError, match=message):
        unpack(artifact, tmp_path / "in")
    assert not (tmp_path / "escape").exists()

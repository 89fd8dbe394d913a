"""How much each part of a model moved between two checkpoints (the paper's analysis: its gains came from
lower-layer MLP updates).

The relative change of a group of parameters is ||B - A|| / ||A|| over all its tensors together (Frobenius
norms), per layer and per module type: `attention`, `mlp`, `norm`, `embedding` (input embeddings and the output
head; tied weights count once). Reads the checkpoints' safetensors directly: no model is built.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolgym.errors import ToolgymError

TYPES = ("attention", "mlp", "norm", "embedding")
_LAYER = re.compile(r"\.layers\.(\d+)\.")


@dataclass(frozen=True)
class Delta:
    """Relative changes: `by_layer[layer][type]`, `by_type[type]` (all layers), and `total`."""

    by_layer: dict[int, dict[str, float]]
    by_type: dict[str, float]
    total: float


def module_type(name: str) -> str:
    """The module type of a parameter name.

    >>> [module_type(n) for n in ("model.layers.0.self_attn.q_proj.weight", "model.layers.3.mlp.up_proj.weight",
    ...                           "model.norm.weight", "lm_head.weight")]
    ['attention', 'mlp', 'norm', 'embedding']
    """
    if "attn" in name:
        return "attention"
    if "mlp" in name:
        return "mlp"
    if "norm" in name:
        return "norm"
    if "embed" in name or "lm_head" in name:
        return "embedding"
    raise ToolgymError(f"parameter {name!r} is of no known module type ({', '.join(TYPES)})")


def load_weights(checkpoint: str | Path) -> dict[str, Any]:
    """All tensors of a HF checkpoint directory (every `*.safetensors` shard), in fp32."""
    from safetensors.torch import load_file
    files = sorted(Path(checkpoint).glob("*.safetensors"))
    if not files:
        raise ToolgymError(f"{checkpoint} holds no *.safetensors: give a directory written by save_pretrained")
    return {name: tensor.float() for f in files for name, tensor in load_file(f).items()}


def param_delta(before: Mapping[str, Any], after: Mapping[str, Any]) -> Delta:
    """Relative change from `before` to `after` (tensors by parameter name; the names must match)."""
    if before.keys() != after.keys():
        missing = sorted(before.keys() ^ after.keys())[:5]
        raise ToolgymError(f"the checkpoints hold different parameters (e.g. {missing}): not the same model")
    sums: dict[tuple[int | None, str], list[float]] = {}
    for name, a in before.items():
        match = _LAYER.search(name)
        key = (int(match.group(1)) if match else None, module_type(name))
        entry = sums.setdefault(key, [0.0, 0.0])  # [squared norm of the change, squared norm before]
        entry[0] += float((after[name] - a).pow(2).sum())
        entry[1] += float(a.pow(2).sum())
    by_layer: dict[int, dict[str, float]] = {}
    for (layer, kind), (moved, size) in sums.items():
        if layer is not None:
            by_layer.setdefault(layer, {})[kind] = _relative(moved, size)
    by_type = {kind: _relative(sum(v[0] for (_, k), v in sums.items() if k == kind),
                               sum(v[1] for (_, k), v in sums.items() if k == kind))
               for kind in TYPES if any(k == kind for _, k in sums)}
    total = _relative(sum(v[0] for v in sums.values()), sum(v[1] for v in sums.values()))
    return Delta(by_layer, by_type, total)


def _relative(moved: float, size: float) -> float:
    return (moved ** 0.5) / (size ** 0.5) if size > 0 else 0.0


def table(delta: Delta) -> str:
    """A Markdown table: one row per layer, one column per module type, then all layers and the total."""
    kinds = [k for k in TYPES if k in delta.by_type]
    rows = ["| layer | " + " | ".join(kinds) + " |", "|---|" + "---|" * len(kinds)]
    for layer, values in sorted(delta.by_layer.items()):
        rows.append(f"| {layer} | " + " | ".join(_cell(values.get(k)) for k in kinds) + " |")
    rows.append("| all | " + " | ".join(_cell(delta.by_type[k]) for k in kinds) + " |")
    return "\n".join(rows) + f"\n\nTotal relative change: {delta.total:.3e}\n"


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.3e}"


def plot(delta: Delta, out: Path, title: str = "relative parameter change") -> Path:
    """A PNG of the relative change per layer, one line per module type (needs the `plot` extra)."""
    from toolgym.errors import MissingDependencyError
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingDependencyError("matplotlib", "plot") from None
    figure, axes = plt.subplots(figsize=(7, 3.5))
    layers = sorted(delta.by_layer)
    for kind in ("attention", "mlp", "norm"):
        points = [(layer, delta.by_layer[layer][kind]) for layer in layers if kind in delta.by_layer[layer]]
        if points:
            axes.plot(*zip(*points), marker="o", label=kind)
    axes.set_xlabel("layer")
    axes.set_ylabel("||after - before|| / ||before||")
    axes.set_title(title)
    axes.legend()
    figure.tight_layout()
    figure.savefig(out, dpi=100)
    plt.close(figure)
    return out

"""The training loop: collect (episodes, states or teacher turns), then update, step after step.

A step draws `tasks` tasks of the train stream (the sources in turn, fresh task indices every step), plays G
samples of each with the model being trained (`LocalPolicy.of`: batched `generate`, token ids kept), turns the
returns into advantages (`toolgym.train.advantages`) and runs `epochs` inner epochs over the step's sequences:
each epoch accumulates the gradient over micro-batches of `micro_batch` sequences and takes one optimizer step
(so `epochs` > 1 is where the ratio moves away from 1 and clipping acts). `--mode sft` trains on teacher turns
with the same machinery and a cross-entropy loss.

Devices: CUDA with bf16 autocast when present (fp32 master weights and optimizer), else CPU fp32.
Output directory: `config.json`, `metrics.jsonl` (one line per step), `curves.png`, and `checkpoints/step-N/`
(HF `save_pretrained` model and tokenizer + `trainer.pt`: optimizer, step, RNG). Running the same command again
resumes from the last checkpoint (`steps` may be raised to go on); another configuration is refused.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from toolgym.errors import ToolgymError, UnknownNameError
from toolgym.models.task import Task
from toolgym.rollout.local_policy import LocalPolicy
from toolgym.rollout.runner import EpisodeSpec, Runner, Trajectory, make_env
from toolgym.rollout.store import claim_run_dir
from toolgym.train import models
from toolgym.train.advantages import ALGOS, advantages
from toolgym.train.loss import LossSettings, make_batch, policy_loss, sft_loss, token_logprobs
from toolgym.train.sequences import TeacherPolicy, TrainSequence, sft_sequences, turn_sequences
from toolgym.train.states import draw_state, sample_states

MODES = ("episodes", "states", "sft")
RESUME_FREE = ("steps", "checkpoint_every")  # raising these continues the same run
MAX_GRAD_NORM = 1.0


@dataclass(frozen=True)
class TrainConfig:
    """One training run (written to `config.json`)."""

    sources: tuple[str, ...]
    model: str = "tiny"
    mode: str = "episodes"
    algo: str = "grpo"
    steps: int = 10
    tasks: int = 4            # tasks (or states) per step
    group: int = 4            # G samples of each
    epochs: int = 2           # inner epochs per step
    micro_batch: int = 4      # sequences per forward pass (gradient accumulated over them)
    lr: float = 1e-6
    clip: float = 0.2
    beta: float = 0.04
    temperature: float = 1.0
    max_tokens: int = 128
    max_turns: int = 5
    reward: str = "default"
    seed: int = 0
    checkpoint_every: int = 10
    device: str = "auto"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise UnknownNameError("mode", self.mode, list(MODES))
        if self.algo not in ALGOS:
            raise UnknownNameError("algo", self.algo, list(ALGOS))
        if not self.sources:
            raise ToolgymError("give at least one env id to train on, e.g. ToolEnv/travel-L1")
        for name in ("steps", "tasks", "group", "epochs", "micro_batch", "max_tokens", "max_turns"):
            if getattr(self, name) < 1:
                raise ToolgymError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.mode != "sft" and self.group < 2:
            raise ToolgymError(f"group must be at least 2 for {self.algo} (advantages compare samples of a task)")

    def as_json(self) -> dict[str, Any]:
        return json.loads(json.dumps(asdict(self)))


@dataclass(frozen=True)
class Collected:
    """A step's training sequences and the metrics of the episodes (or states) they came from."""

    sequences: list[TrainSequence]
    metrics: dict[str, float] = field(default_factory=dict)


class Trainer:
    """Trains `config.model` into `out`. `run()` goes from the last checkpoint (or step 0) to `config.steps`."""

    def __init__(self, config: TrainConfig, out: str | Path) -> None:
        self.torch = torch = models.import_torch()
        self.config, self.out = config, Path(out)
        cuda = config.device == "cuda" or (config.device == "auto" and torch.cuda.is_available())
        self.device = torch.device("cuda" if cuda else "cpu")
        self.step, start = self._prepare_out()
        self.model, self.tokenizer = models.load(start, str(self.device))
        self.reference = self._reference()
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=config.lr, weight_decay=0.0)
        self.rng = random.Random(config.seed)
        if self.step:
            self._load_state(self._checkpoint(self.step))
        self.policy = LocalPolicy.of(self.model, self.tokenizer, config.model, temperature=config.temperature,
                                     max_tokens=config.max_tokens, batch_size=config.tasks * config.group,
                                     seed=config.seed)
        # where states mode takes its tasks from (episodes are played in the runner's own envs)
        self.envs = {s: make_env(s, split="train", reward=config.reward) for s in config.sources}

    # -- the loop ---------------------------------------------------------------------------------------------

    def run(self) -> list[dict[str, Any]]:
        """Train to `config.steps`; return the metrics of the steps run by this call."""
        logged = []
        try:
            while self.step < self.config.steps:
                logged.append(self.train_step())
                if self.step % self.config.checkpoint_every == 0 or self.step == self.config.steps:
                    self.save()
        finally:
            for env in self.envs.values():
                env.close()
        return logged

    def train_step(self) -> dict[str, Any]:
        started = time.perf_counter()
        self.policy.seed = self.config.seed * 1_000_003 + self.step * 1009  # fresh draws each step, also on resume
        self.model.eval()
        collected = self.collect()
        rollout_s = time.perf_counter() - started
        self.model.train()
        stats = self.update(collected.sequences)
        generated = sum(len(s.completion_ids) for s in collected.sequences)
        self.step += 1
        record = {"step": self.step, **collected.metrics, **stats,
                  "generated_tokens_per_s": round(generated / max(rollout_s, 1e-9), 1),
                  "step_s": round(time.perf_counter() - started, 3)}
        with open(self.out / "metrics.jsonl", "a") as log:
            log.write(json.dumps(record) + "\n")
        return record

    def collect(self) -> Collected:
        sources = self.config.sources
        first = self.step * self.config.tasks
        tasks = [(sources[i % len(sources)], self.config.seed * 1_000_003 + i)
                 for i in range(first, first + self.config.tasks)]
        if self.config.mode == "states":
            return self._collect_states(tasks)
        samples = 1 if self.config.mode == "sft" else self.config.group
        specs = [EpisodeSpec(s, i, j) for s, i in tasks for j in range(samples)]
        policy = TeacherPolicy(self.policy) if self.config.mode == "sft" else self.policy
        runner = Runner(policy, lambda s: make_env(s, split="train", reward=self.config.reward,
                                                   max_turns=self.config.max_turns), concurrency=len(specs))
        played = sorted(asyncio.run(runner.run(specs)), key=lambda t: t["key"])
        if self.config.mode == "sft":
            return Collected(sft_sequences(played), episode_metrics(played))
        groups = [[t for t in played if (t["source"], t["index"]) == task] for task in tasks]
        advs = advantages([[t["return"] for t in g] for g in groups], self.config.algo)
        sequences = [s for g, a in zip(groups, advs) for t, adv in zip(g, a) for s in turn_sequences(t, adv)]
        return Collected(sequences, episode_metrics(played))

    def _collect_states(self, tasks: Sequence[tuple[str, int]]) -> Collected:
        states = [draw_state(self._task(s, i), self.rng) for s, i in tasks]
        sampled = asyncio.run(sample_states(self.policy, states, self.config.group, self.config.seed,
                                            self.config.reward))
        advs = advantages([[t.reward for t in g] for g in sampled.groups], self.config.algo)
        sequences = [TrainSequence(tuple(t.turn.prompt_ids or ()), tuple(t.turn.completion_ids or ()), adv)
                     for g, a in zip(sampled.groups, advs) for t, adv in zip(g, a) if t.turn.completion_ids]
        flat = [t for g in sampled.groups for t in g]
        return Collected(sequences, {"reward": _mean([t.reward for t in flat]),
                                     "solve_rate": _mean([float(t.solved > 0) for t in flat]),
                                     "answer_accuracy": _mean([float(t.answer_correct) for t in flat]),
                                     "skipped_states": sampled.skipped})

    def _task(self, source: str, index: int) -> Task:
        env = self.envs[source]
        env.reset(seed=index, options={"task_index": index})
        return env.unwrapped.task

    # -- the update -------------------------------------------------------------------------------------------

    def update(self, sequences: list[TrainSequence]) -> dict[str, Any]:
        """`epochs` optimizer steps over `sequences` (one for SFT); the step's loss statistics."""
        if not sequences:
            return {"trained_tokens": 0}
        torch, config = self.torch, self.config
        batches = [make_batch(torch, chunk, self.tokenizer.pad_token_id, self.device)
                   for chunk in micro_batches(sequences, config.micro_batch)]
        tokens = sum(len(s.completion_ids) for s in sequences)
        passes = 1 if config.mode == "sft" else config.epochs
        # With one pass the pre-update log-probs are the pass's own (detached): no extra forward pass.
        old = self._frozen_logprobs(self.model, batches) if passes > 1 else None
        ref = self._frozen_logprobs(self.reference, batches) if self.reference is not None else None
        started, totals = time.perf_counter(), dict.fromkeys(("loss", "clipped_tokens", "kl_sum", "entropy_sum"), 0.0)
        settings = LossSettings(config.clip, config.beta)
        for epoch in range(passes):
            self.optimizer.zero_grad(set_to_none=True)
            for i, batch in enumerate(batches):
                with self._autocast():
                    logp, entropy = token_logprobs(self.model, batch, config.temperature, entropy=epoch == 0)
                if entropy is not None:
                    totals["entropy_sum"] += float((entropy * batch.completion_mask).sum())
                if config.mode == "sft":
                    loss, stats = sft_loss(logp, batch), {}
                else:
                    loss, stats = policy_loss(torch, logp, old[i] if old else logp.detach(),
                                              ref[i] if ref else None, batch, settings)
                (loss / tokens).backward()  # token mean over the whole step, accumulated over micro-batches
                totals["loss"] += loss.item()
                for key, value in stats.items():
                    totals[key] += value
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), MAX_GRAD_NORM)
            self.optimizer.step()
        processed = passes * sum(int(b.attention_mask.sum()) for b in batches)
        per_token = lambda key, n=passes: round(totals[key] / tokens / n, 6)  # noqa: E731
        return {"loss": per_token("loss"), "kl": per_token("kl_sum"), "clip_fraction": per_token("clipped_tokens"),
                "entropy": per_token("entropy_sum", 1), "trained_tokens": tokens,
                "train_tokens_per_s": round(processed / max(time.perf_counter() - started, 1e-9), 1)}

    def _frozen_logprobs(self, model: Any, batches: list[Any]) -> list[Any]:
        """Log-probabilities of every micro-batch under `model`, without gradient (the policy before the
        update, or the reference)."""
        with self.torch.no_grad(), self._autocast():
            return [token_logprobs(model, batch, self.config.temperature)[0] for batch in batches]

    def _autocast(self) -> Any:
        return self.torch.autocast("cuda", self.torch.bfloat16, enabled=self.device.type == "cuda")

    def _reference(self) -> Any:
        if self.config.mode == "sft" or self.config.beta == 0:
            return None
        reference, _ = models.load(self.config.model, str(self.device))  # the run's start, also on resume
        reference.eval().requires_grad_(False)
        return reference

    # -- output directory and checkpoints ----------------------------------------------------------------------

    def _prepare_out(self) -> tuple[int, str]:
        """(the step to resume from, the model to load), after checking `out` holds this run or nothing."""
        claim_run_dir(self.out, self.config.as_json(), RESUME_FREE)
        saved = sorted(int(p.name.split("-")[1]) for p in (self.out / "checkpoints").glob("step-*")
                       if (p / "trainer.pt").exists())
        step = saved[-1] if saved else 0
        _truncate_log(self.out / "metrics.jsonl", step)
        return step, str(self._checkpoint(step)) if step else self.config.model

    def _checkpoint(self, step: int) -> Path:
        return self.out / "checkpoints" / f"step-{step:06d}"

    def save(self) -> Path:
        """Write a checkpoint of the current step (`trainer.pt` last: its presence marks a complete one)."""
        path = self._checkpoint(self.step)
        self.model.save_pretrained(path)
        self.tokenizer.save_pretrained(path)
        self.torch.save({"step": self.step, "optimizer": self.optimizer.state_dict(), "rng": self.rng.getstate(),
                         "torch_rng": self.torch.get_rng_state()}, path / "trainer.pt")
        _plot_if_possible(self.out)
        return path

    def _load_state(self, path: Path) -> None:
        state = self.torch.load(path / "trainer.pt", weights_only=False)
        self.optimizer.load_state_dict(state["optimizer"])
        self.rng.setstate(state["rng"])
        self.torch.set_rng_state(state["torch_rng"])

    def latest_checkpoint(self) -> Path:
        return self._checkpoint(self.step)


def micro_batches(sequences: Sequence[TrainSequence], size: int) -> list[list[TrainSequence]]:
    """`sequences` in micro-batches of at most `size`, those sharing a prompt together (a state's G samples, a
    group's first turns), so that `make_batch` runs their prompt once. The loss is a sum over tokens: order is free.
    """
    by_prompt: dict[tuple[int, ...], list[TrainSequence]] = {}
    for sequence in sequences:
        by_prompt.setdefault(sequence.prompt_ids, []).append(sequence)
    shared = [group for group in by_prompt.values() if len(group) > 1]
    alone = [group[0] for group in by_prompt.values() if len(group) == 1]
    return [g[i:i + size] for g in [*shared, alone] for i in range(0, len(g), size)]


def episode_metrics(played: Sequence[Trajectory]) -> dict[str, float]:
    """Reward (mean return), solve rate and answer accuracy of a step's episodes."""
    return {"reward": _mean([t["return"] for t in played]),
            "solve_rate": _mean([t["metrics"]["solve_rate"] for t in played]),
            "answer_accuracy": _mean([float(t["answer_correct"]) for t in played]),
            "turns": _mean([t["num_turns"] for t in played])}


def _mean(values: Sequence[float]) -> float:
    return round(sum(values) / len(values), 6) if values else 0.0


def _truncate_log(path: Path, step: int) -> None:
    """Drop log lines of steps after the checkpoint being resumed (they will be run again)."""
    if not path.exists():
        return
    lines = [line for line in path.read_text().splitlines() if line and json.loads(line)["step"] <= step]
    path.write_text("".join(line + "\n" for line in lines))


def _plot_if_possible(out: Path) -> None:
    from toolgym.train.plots import plot_metrics
    try:
        plot_metrics(out / "metrics.jsonl", out / "curves.png")
    except ImportError:  # matplotlib is the optional `plot` extra: the JSONL log is the record
        pass

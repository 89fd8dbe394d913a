"""Which model to train: a name of `toolgym.rollout.local_models` (`smollm2-135m`), a HF directory, or `tiny`.

`tiny` is a 2-layer Llama built from a config, with a byte-level BPE tokenizer trained on the envs' own text (the
tools prompts and oracle transcripts of a few ids) and a ChatML chat template: no download, seconds to build, for
smoke tests. It is built once into the cache (`~/.cache/toolgym/models/tiny-v1`) and loads like any HF directory.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from toolgym.errors import MissingDependencyError
from toolgym.rollout.attention import use_grouped_attention
from toolgym.rollout.local_models import READY, _publish, cache_root, model_dir

TINY = "tiny"
TINY_DIR = "tiny-v1"  # bump when the recipe below changes
TINY_VOCAB = 1024
TINY_SOURCES = ("ToolEnv/travel-L1", "ToolEnv/weather-L1", "ToolEnv/finance-L2", "ToolEnv/shopping-L1")
TINY_TASKS_PER_SOURCE = 8
END_OF_TURN = "<|im_end|>"
CHATML = ("{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + (message['content'] or '') "
          "+ '<|im_end|>\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}")


def import_torch() -> Any:
    """torch, or an error naming the extra to install."""
    try:
        import torch
        import transformers  # noqa: F401
    except ImportError as e:
        raise MissingDependencyError(e.name or "torch", "train") from None
    return torch


def resolve(model: str) -> Path:
    """The HF directory of `model` (built on first use for `tiny` and the packaged models)."""
    if model != TINY:
        return model_dir(model)
    target = cache_root() / "models" / TINY_DIR
    if not (target / READY).exists():
        _build_tiny(target)
    return target


def load(model: str, device: str = "cpu") -> tuple[Any, Any]:
    """(model, tokenizer) of `model`, in fp32 on `device` (bf16 comes from autocast, so the master weights
    and the optimizer stay fp32)."""
    import_torch()
    from transformers import AutoModelForCausalLM, AutoTokenizer
    path = resolve(model)
    tokenizer = AutoTokenizer.from_pretrained(path)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return use_grouped_attention(AutoModelForCausalLM.from_pretrained(path)).to(device), tokenizer


def env_text() -> list[str]:
    """What the tiny tokenizer learns from: each sample task's tools prompt and its oracle transcript."""
    from toolgym.envs.tool_env import transcript
    from toolgym.rollout.messages import tools_system_message
    from toolgym.rollout.runner import make_env
    texts = []
    for source in TINY_SOURCES:
        env = make_env(source)
        for index in range(TINY_TASKS_PER_SOURCE):
            obs, info = env.reset(seed=index)
            texts.append(tools_system_message(info["tools"], "hermes")["content"])
            for action in env.unwrapped.oracle_actions():
                obs, *_ = env.step(action)
            texts.append(transcript(obs))
        env.close()
    return texts


def _build_tiny(target: Path) -> None:
    torch = import_torch()
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast
    specials = ["<|endoftext|>", "<|im_start|>", END_OF_TURN]
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator(env_text(), trainers.BpeTrainer(
        vocab_size=TINY_VOCAB, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False))
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, bos_token=specials[0], eos_token=END_OF_TURN,
                                        pad_token=specials[0])
    tokenizer.chat_template = CHATML
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=8192,
                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                         pad_token_id=tokenizer.pad_token_id, tie_word_embeddings=True)
    torch.manual_seed(0)  # the same tiny model on every machine
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        LlamaForCausalLM(config).save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        (staging / READY).write_text("built from config")
        _publish(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

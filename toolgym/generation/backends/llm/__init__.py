"""LLM-driven generation backends, for any OpenAI-compatible server (vLLM, SGLang, `transformers serve`, a hosted
API), through the real `openai` client (`pip install "toolgym[llm]"`).

- `hybrid` (`HybridBackend`): the procedural skeleton, with the model rewriting the question and tool
  descriptions; every answer stays verifiable.
- `llm` (`LLMBackend`): the model drives the stages: it decomposes a question, documents and writes the tools;
  their code runs only in the sandbox, the gold calls are executed, failing tools are repaired a bounded number
  of times, and tasks that still fail are rejected with the reason counted.

`client.LLMClient` makes the requests (prompt templates in `prompts/`, disk cache, retries); `run.run_jobs`
runs many tasks concurrently and reports a manifest.
"""

from __future__ import annotations

from toolgym.errors import UnknownNameError
from toolgym.generation.backend import Backend
from toolgym.generation.backends.llm.client import LLMClient

LLM_BACKENDS = ("llm", "hybrid")


def make_backend(name: str, client: LLMClient, **options: int) -> Backend:
    """The LLM-driven backend `name` ('llm' or 'hybrid') over `client`."""
    if name == "hybrid":
        from toolgym.generation.backends.llm.hybrid import HybridBackend
        return HybridBackend(client)
    if name == "llm":
        from toolgym.generation.backends.llm.model import LLMBackend
        return LLMBackend(client, **options)
    raise UnknownNameError("LLM generation backend", name, list(LLM_BACKENDS))


__all__ = ["LLM_BACKENDS", "LLMClient", "make_backend"]

import pytest

from toolgym.errors import UnknownNameError
from toolgym.generation import pipeline
from toolgym.generation.backends.procedural import ProceduralBackend
from toolgym.generation.pipeline import TaskStream, generate_task, generate_tasks, trace_task
from toolgym.generation.stages.errors import GenerationError, GenerationRejected


def test_same_inputs_same_task():
    a, b = generate_task("travel", 3, 4, seed=9), generate_task("travel", 3, 4, seed=9)
    assert a == b and a.content_hash == b.content_hash
    assert a.provenance.seed == 9 and a.provenance.index == 4


def test_inputs_change_the_task():
    base = generate_task("travel", 2, 0)
    others = [generate_task("travel", 2, 1), generate_task("travel", 2, 0, seed=1),
              generate_task("travel", 2, 0, split="test")]
    assert len({t.content_hash for t in [base, *others]}) == 4


def test_train_and_test_streams_are_disjoint():
    train = {t.content_hash for t in generate_tasks("travel", 1, 30)}
    test = {t.content_hash for t in generate_tasks("travel", 1, 30, split="test")}
    assert not train & test


def test_stream_is_indexable_cached_and_endless():
    stream = TaskStream("food", 2, seed=3)
    assert stream[5] == generate_task("food", 2, 5, seed=3)
    assert stream[5] is stream[5]
    with pytest.raises(TypeError):
        len(stream)
    first = [t for _, t in zip(range(3), stream)]
    assert first == generate_tasks("food", 2, 3, seed=3)
    with pytest.raises(TypeError, match="integers"):
        stream["0"]


def test_stream_cache_is_bounded():
    stream = TaskStream("travel", 1)
    for i in range(pipeline.STREAM_CACHE_SIZE + 3):
        stream[i]
    assert len(stream._cache) == pipeline.STREAM_CACHE_SIZE


def test_bad_inputs_name_the_fix():
    with pytest.raises(UnknownNameError, match="travel"):
        generate_task("atlantis", 1, 0)
    with pytest.raises(UnknownNameError, match="level"):
        generate_task("travel", 6, 0)
    with pytest.raises(ValueError, match="split"):
        TaskStream("travel", 1, split="dev")
    with pytest.raises(ValueError, match="index"):
        generate_task("travel", 1, -1)


class _RejectFirst(ProceduralBackend):
    """Rejects the first attempt of every task: the pipeline must move on deterministically."""

    def decompose(self, request, ctx):
        if ctx.attempt == 0:
            raise GenerationRejected("first attempt")
        return super().decompose(request, ctx)


class _RejectAll(ProceduralBackend):
    def decompose(self, request, ctx):
        raise GenerationRejected("never")


def test_rejected_attempts_retry_with_a_derived_seed():
    trace = trace_task("travel", 1, 0, backend=_RejectFirst())
    assert trace.rejected == ("first attempt",) and trace.context.attempt == 1
    assert trace.task == generate_task("travel", 1, 0, backend=_RejectFirst())
    assert trace.task != generate_task("travel", 1, 0)


def test_no_valid_task_raises():
    with pytest.raises(GenerationError, match="after"):
        generate_task("travel", 1, 0, backend=_RejectAll())


def test_trace_shows_every_stage():
    trace = trace_task("travel", 4, 1)
    assert trace.task == generate_task("travel", 4, 1)
    assert trace.scenario.question == trace.task.question
    assert [t.name for t in trace.scaled.tools] == [t.name for t in trace.toolset.tools]
    assert set(trace.scaled.order) == set(trace.task.tool_names)
    assert trace.model_dump_json()


def test_backends_by_name():
    from toolgym.generation.backend import Backend
    from toolgym.generation.backends import get_backend

    backend = get_backend("procedural")
    assert isinstance(backend, Backend) and generate_task("travel", 1, 0, backend=backend) == generate_task(
        "travel", 1, 0)
    with pytest.raises(UnknownNameError, match="procedural"):
        get_backend("gpt")

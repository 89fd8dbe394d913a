import jsonschema
import pytest

from tests.unit.generation.helpers import stage_outputs
from toolgym.generation.models import Deployment
from toolgym.generation import generate_task
from toolgym.generation.stages.deploy import assemble, deploy, replays, tool_schema, tool_spec
from toolgym.generation.stages.errors import GenerationRejected


def test_schemas_are_valid_json_schema():
    scaled = stage_outputs("travel", 5, 0)[-1]
    for doc in scaled.tools + scaled.distractors:
        jsonschema.Draft202012Validator.check_schema(tool_schema(doc)["function"]["parameters"])


def test_gold_plan_turns_follow_dependencies(backend):
    ctx, *_, scaled = stage_outputs("travel", 4, 0)
    task = deploy(scaled, ctx, backend)
    answered_before: set[str] = set()
    for turn in task.gold_plan:
        for call in turn:  # an argument that is a sub-answer was produced in an earlier turn
            for value in call.arguments.values():
                if isinstance(value, str) and value in {a for v in task.expected.values() for a in v}:
                    assert value in answered_before
        answered_before |= {a for call in turn for a in task.expected[call.name]}
    assert task.gold_plan[-1][0].name == "calculate"


def test_a_leaking_question_is_rejected(backend):
    ctx, *_, scaled = stage_outputs("travel", 1, 0)
    scenario = scaled.scenario
    leaky = scaled.model_copy(update={"scenario": scenario.model_copy(
        update={"question": f"{scenario.question} (hint: {scenario.answer})"})})
    with pytest.raises(GenerationRejected, match="leaks"):
        deploy(leaky, ctx, backend)


class _BrokenCode:
    """Deploys tools that answer something else."""

    name = "broken"

    def deploy(self, scaled, ctx):
        names = [t.name for t in scaled.tools + scaled.distractors]
        return Deployment(code={n: f"def {n}(**kwargs):\n    return 'nothing here'\n" for n in names})


def test_a_task_whose_replay_fails_is_rejected():
    ctx, *_, scaled = stage_outputs("travel", 2, 0)
    with pytest.raises(GenerationRejected, match="expected it to contain"):
        deploy(scaled, ctx, _BrokenCode())


def test_assemble_labels_the_task():
    ctx, *_, scaled = stage_outputs("weather", 3, 5)
    code = {t.name: "def f(): pass" for t in scaled.tools + scaled.distractors}
    task = assemble(scaled, code, ctx)
    assert (task.domain, task.level, task.split, task.provenance.generator) == ("weather", 3, "train", "procedural")
    assert task.id == "weather-L3-train-s0-5" and task.tool_names == scaled.order


def test_tasks_share_the_specs_of_recurring_documents():
    # tool surfaces vary per task (surface.py), so a document recurs less often than it did with one surface
    seen: dict[str, list] = {}
    for task in (generate_task("travel", 3, i) for i in range(40)):
        for spec in task.tools:
            seen.setdefault(spec.name, []).append(spec)
    recurring = [specs for specs in seen.values() if len(specs) > 1]
    assert any(spec is specs[0] for specs in recurring for spec in specs[1:])
    for specs in recurring:  # an equal document is one shared object (its hash text and validator with it)
        for spec in specs[1:]:
            assert (spec is specs[0]) == (spec == specs[0])


def test_a_document_with_fresh_parameter_objects_gets_an_equal_spec():
    doc = stage_outputs("travel", 2, 0)[-1].tools[0]
    fresh = doc.model_copy(update={"params": tuple(p.model_copy() for p in doc.params)})
    assert tool_spec(fresh) == tool_spec(doc) and tool_spec(fresh) is not tool_spec(doc)


class _BrokenButTrusted(_BrokenCode):
    """Claims its tasks replay by construction, yet writes tools that answer something else."""

    correct_by_construction = True


def _audited(ctx) -> bool:
    return replays(ctx, _BrokenButTrusted())


def test_a_correct_by_construction_backend_is_replayed_on_an_audited_sample():
    ctx, *_, scaled = stage_outputs("travel", 2, 0)
    contexts = [ctx.model_copy(update={"index": i}) for i in range(64 * 20)]
    audited = [c for c in contexts if _audited(c)]
    assert 5 <= len(audited) <= 60  # about one in AUDIT_EVERY
    for c in (audited[0], contexts[0] if not _audited(contexts[0]) else contexts[1]):
        if _audited(c):  # in the sample: replayed, and the broken code caught
            with pytest.raises(GenerationRejected, match="expected it to contain"):
                deploy(scaled, c, _BrokenButTrusted())
        else:  # outside it: trusted, unless the caller asks for the replay
            assert deploy(scaled, c, _BrokenButTrusted()).tools
            with pytest.raises(GenerationRejected, match="expected it to contain"):
                deploy(scaled, c, _BrokenButTrusted(), replay=True)


def test_a_backend_that_does_not_say_it_is_correct_is_always_replayed():
    ctx = stage_outputs("travel", 2, 0)[0]
    assert all(replays(ctx.model_copy(update={"index": i}), _BrokenCode()) for i in range(200))


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
def test_replaying_every_task_gives_the_same_stream(level):
    for index in range(6):
        assert generate_task("finance", level, index, replay=True) == generate_task("finance", level, index)

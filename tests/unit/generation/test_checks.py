"""The leak check's pre-filter must never change a verdict: it agrees with matching every answer against the whole
shown text (the question, the opening messages and the canonical JSON of the tool documents)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from toolgym.generation import generate_task
from toolgym.generation.checks import leak_problems
from toolgym.models.task import Task, tools_json
from toolgym.reward.matching import strict_match, tokens


def _reference(task: Task) -> list[str]:
    shown = "\n".join([task.question, *(m.content for m in task.messages), tools_json(task.tools)])
    answers = [a for answers in task.expected.values() for a in answers] + [task.answer]
    return [f"answer {a!r} leaks into the question or tool documents" for a in dict.fromkeys(answers)
            if strict_match(a, shown)]


def _with_text(task: Task, where: str, text: str) -> Task:
    data = task.model_dump(mode="json", exclude={"content_hash"})
    if where == "question":
        data["question"] = f"{data['question']} {text}"
    else:
        function = data["tools"][-1]["function"]
        function["description"] = f"{function['description']} {text}"
    return Task.model_validate(data)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), level=st.integers(1, 5), index=st.integers(0, 500), where=st.sampled_from(
    ["question", "document"]))
def test_the_leak_check_agrees_with_matching_the_whole_shown_text(data, level, index, where):
    task = generate_task("travel", level, index)
    answers = [a for answers in task.expected.values() for a in answers] + [task.answer]
    pieces = answers + [t for a in answers for t in tokens(a)] + ["0.5", ".5", "-3", "12,5", "2,048"]
    words = st.one_of(st.sampled_from(pieces), st.from_regex(r"[A-Za-z0-9.,\-]{1,6}", fullmatch=True))
    separators = st.sampled_from([" ", "", ", ", "-", ".", "\n", '"'])
    parts = data.draw(st.lists(st.tuples(words, separators), max_size=5))
    leaky = _with_text(task, where, "".join(w + s for w, s in parts))
    assert leak_problems(leaky) == _reference(leaky)


def test_a_generated_task_has_no_leak_and_an_injected_answer_is_found():
    task = generate_task("travel", 5, 0)
    assert leak_problems(task) == []
    leaky = _with_text(task, "document", f"(e.g. {task.answer})")
    assert leak_problems(leaky) == [f"answer {task.answer!r} leaks into the question or tool documents"]

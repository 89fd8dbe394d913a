from __future__ import annotations

import pytest

from toolgym.execution import error_message, render
from toolgym.execution.render import describe_exception


@pytest.mark.parametrize(("value", "text"), [
    ({"city": "Zorvik", "temp": 12}, '{"city": "Zorvik", "temp": 12}'),
    ([1, 2.5, None, True], "[1, 2.5, null, true]"),
    (("a", 1), '["a", 1]'),
    ({"city": "Zürich"}, '{"city": "Zürich"}'),  # ensure_ascii=False, as the reference
    ("plain text", "plain text"),
    (12, "12"),
    (12.5, "12.5"),
    (None, "None"),
    (True, "True"),
])
def test_render_json_for_containers_str_otherwise(value, text):
    assert render(value) == text


def test_render_falls_back_to_str_when_json_cannot_encode():
    assert render({"tags": {1}}) == "{'tags': {1}}"
    circular: list = []
    circular.append(circular)
    assert render(circular) == "[[...]]"


def test_render_never_raises_on_a_broken_str():
    class Broken:
        def __str__(self) -> str:
            raise RuntimeError("no")

    assert render(Broken()) == "<unprintable Broken object>"


def test_error_message_keeps_the_reference_wording():
    assert error_message("get_weather", "boom") == "an error occured when call get_weather: boom"


def test_describe_exception():
    assert describe_exception(ValueError("bad city")) == "ValueError: bad city"
    assert describe_exception(KeyError("x")) == "KeyError: 'x'"
    assert describe_exception(RuntimeError()) == "RuntimeError"

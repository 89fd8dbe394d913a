"""The LLM generation client: the real `openai` client over HTTP against a scripted server on 127.0.0.1."""

import json
import re
import socket

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fixtures.extras import require
from tests.fixtures import generation_server as gs
from tests.fixtures.generation_server import Answer, GenerationServer
from toolgym.generation.backends.llm import prompts
from toolgym.generation.backends.llm.cache import RequestCache
from toolgym.generation.backends.llm.client import LLMClient, ReplyProblem, parse_json_object
from toolgym.generation.backends.llm.errors import LLMRejected, LLMUnavailable, ServerFailed
from toolgym.generation.backends.llm.replies import QuestionReply

MESSAGES = prompts.render("rewrite_question", question="Where is Hotel Ara?", entities="'Hotel Ara'",
                          operation_hint="")
GOOD = json.dumps({"question": "Could you tell me where Hotel Ara is?"})


@pytest.fixture(autouse=True)
def _openai():
    require("openai")


def scripted(*answers):
    """A responder giving `answers` in order, then the last one forever."""
    queue = list(answers)

    def respond(request, server):
        return queue.pop(0) if len(queue) > 1 else queue[0]
    return respond


def client(server, **kwargs):
    kwargs = {"max_retries": 2, "timeout": 10.0, **kwargs}
    return LLMClient("scripted", server.base_url, **kwargs)


def feedback_sent(server):
    """The feedback message of every request that had one."""
    return [gs.feedback(r) for r in server.log if gs.turns(r)]


def test_a_valid_reply_is_parsed_and_usage_counted():
    with GenerationServer(scripted(Answer("Sure! ```json\n" + GOOD + "\n```"))) as server:
        c = client(server)
        assert c.ask("rewrite_question", MESSAGES, QuestionReply).question.startswith("Could you")
    assert c.usage.as_dict() == {"requests": 1, "cache_hits": 0, "prompt_tokens": 50, "completion_tokens": 20,
                                 "invalid_replies": 0}
    assert server.log[0]["model"] == "scripted" and server.log[0]["temperature"] == 0.0


@pytest.mark.parametrize("bad, words", [
    ("{'question': 'single quotes'}", "not valid JSON"),
    ("no json here", "contains no JSON object"),
    ("", "reply was empty"),
    (json.dumps({"text": "wrong key"}), "question: Field required"),
    (json.dumps({"question": ["not", "a", "string"]}), "question: Input should be a valid string"),
])
def test_an_unusable_reply_is_fed_back_then_repaired(bad, words):
    with GenerationServer(scripted(Answer(bad), Answer(GOOD))) as server:
        c = client(server)
        assert c.ask("rewrite_question", MESSAGES, QuestionReply).question.startswith("Could you")
    assert len(server.log) == 2 and c.usage.invalid_replies == 1
    assert (server.log[1]["temperature"], server.log[1]["seed"]) == (0.7, 1)  # a retry samples, seeded
    second = server.log[1]["messages"]
    assert second[-2] == {"role": "assistant", "content": bad}
    assert words in second[-1]["content"] and "Reply again" in second[-1]["content"]


def test_a_truncated_reply_is_fed_back():
    with GenerationServer(scripted(Answer('{"question": "Could you tell', finish_reason="length"),
                                   Answer(GOOD))) as server:
        client(server, max_tokens=16).ask("rewrite_question", MESSAGES, QuestionReply)
    assert "cut off at 16 tokens" in feedback_sent(server)[0]


def test_a_failing_check_is_fed_back_and_the_retries_are_bounded():
    def check(reply):
        raise ReplyProblem("it must contain the name 'Hotel Ara' exactly")

    with GenerationServer(scripted(Answer(GOOD))) as server:
        with pytest.raises(LLMRejected) as e:
            client(server, format_retries=2).ask("rewrite_question", MESSAGES, QuestionReply, check)
    assert e.value.reason == "invalid_rewrite_question" and "after 3 tries" in str(e.value)
    assert "'Hotel Ara' exactly" in str(e.value)
    assert len(server.log) == 3 and all("'Hotel Ara' exactly" in f for f in feedback_sent(server))


def test_429_is_retried_by_the_client():
    with GenerationServer(scripted(Answer(status=429), Answer(GOOD))) as server:
        client(server).ask("rewrite_question", MESSAGES, QuestionReply)
    assert len(server.log) == 2


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_server_that_keeps_failing_rejects_the_task_after_the_retries(status):
    with GenerationServer(scripted(Answer(status=status))) as server:
        with pytest.raises(ServerFailed) as e:
            client(server, max_retries=2).ask("rewrite_question", MESSAGES, QuestionReply)
    assert e.value.reason == f"server_{status}" and f"answered {status} after 2 retries" in str(e.value)
    assert len(server.log) == 3


def test_a_slow_server_times_out():
    with GenerationServer(scripted(Answer(GOOD, delay_s=1.5))) as server:
        with pytest.raises(ServerFailed) as e:
            client(server, timeout=0.3, max_retries=1).ask("rewrite_question", MESSAGES, QuestionReply)
    assert e.value.reason == "timeout" and "no reply within 0.3 s" in str(e.value)


def test_a_server_that_is_down_stops_the_run():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed when the block ends: nothing listens there
    c = LLMClient("m", f"http://127.0.0.1:{port}/v1", max_retries=1, timeout=5.0)
    with pytest.raises(LLMUnavailable, match=f"cannot reach the server at http://127.0.0.1:{port}/v1 after 1"):
        c.ask("rewrite_question", MESSAGES, QuestionReply)


def test_a_refused_model_stops_the_run():
    with GenerationServer(scripted(Answer(status=404))) as server:
        with pytest.raises(LLMUnavailable, match=r"refused model 'scripted' \(404\)"):
            client(server).ask("rewrite_question", MESSAGES, QuestionReply)


def test_the_cache_replays_finished_requests(tmp_path):
    with GenerationServer(scripted(Answer("not json"), Answer(GOOD))) as server:
        first = client(server, cache=RequestCache(tmp_path)).ask("rewrite_question", MESSAGES, QuestionReply)
        again = client(server, cache=RequestCache(tmp_path))
        assert again.ask("rewrite_question", MESSAGES, QuestionReply) == first
    assert len(server.log) == 2  # the invalid reply and its repair, each once
    assert again.usage.as_dict()["cache_hits"] == 2 and again.usage.requests == 0


def test_a_corrupt_cache_entry_is_asked_again(tmp_path):
    cache = RequestCache(tmp_path)
    with GenerationServer(scripted(Answer(GOOD))) as server:
        client(server, cache=cache).ask("rewrite_question", MESSAGES, QuestionReply)
        for path in tmp_path.rglob("*.json"):
            path.write_text("{truncated")
        client(server, cache=cache).ask("rewrite_question", MESSAGES, QuestionReply)
    assert len(server.log) == 2


def test_bad_settings_are_refused():
    for kwargs, words in (({"timeout": 0}, "timeout"), ({"max_tokens": -1}, "max_tokens"),
                          ({"format_retries": -1}, "format_retries")):
        with pytest.raises(ValueError, match=words):
            LLMClient("m", "http://127.0.0.1:1/v1", **kwargs)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200) | st.builds(lambda a, b: a + "{" + b + "}", st.text(max_size=50), st.text(max_size=50)))
def test_parsing_a_reply_raises_only_reply_problems(text):
    try:
        parse_json_object(text)
    except ReplyProblem:
        pass


def test_deep_nesting_is_a_reply_problem():
    with pytest.raises(ReplyProblem):
        parse_json_object("{" + '"a":[' * 100_000 + "1" + "]" * 100_000 + "}")


def test_prompts_are_versioned_and_complete():
    versions = prompts.prompt_versions()
    assert set(versions) == set(prompts.STAGES) and all(re.fullmatch(r"\d+\+[0-9a-f]{12}", v)
                                                        for v in versions.values())
    # one text per request since version 2 (a small model follows one short instruction better than a list)
    assert versions["rewrite_tools"].startswith("2+") and versions["rewrite_question"].startswith("2+")
    with pytest.raises(KeyError, match="question"):
        prompts.render("rewrite_question", entities="x", operation_hint="")


def test_structured_output_is_requested_with_the_stages_schema():
    with GenerationServer(scripted(Answer(GOOD))) as server:
        c = client(server)
        c.ask("rewrite_question", MESSAGES, QuestionReply)
    [request] = server.log
    assert request["response_format"]["type"] == "json_schema"
    schema = request["response_format"]["json_schema"]
    assert schema["name"] == "rewrite_question" and schema["schema"] == QuestionReply.model_json_schema()
    assert c.structured


@pytest.mark.parametrize("status", [400, 422])
def test_a_server_refusing_structured_output_gets_plain_requests_from_then_on(status):
    def respond(request, server):
        return Answer(status=status) if "response_format" in request else Answer(GOOD)

    with GenerationServer(respond) as server:
        c = client(server)
        for _ in range(2):
            assert c.ask("rewrite_question", MESSAGES, QuestionReply).question.startswith("Could you")
    # the refused request (not retried: a 4xx), the same without the field, then plain requests only
    assert ["response_format" in r for r in server.log] == [True, False, False]
    assert not c.structured


def test_other_client_errors_are_not_taken_for_a_refused_format():
    with GenerationServer(scripted(Answer(status=413))) as server:
        with pytest.raises(ServerFailed) as e:
            client(server).ask("rewrite_question", MESSAGES, QuestionReply)
    assert e.value.reason == "server_413" and len(server.log) == 1


def test_structured_output_can_be_turned_off():
    with GenerationServer(scripted(Answer(GOOD))) as server:
        client(server, structured=False).ask("rewrite_question", MESSAGES, QuestionReply)
    assert "response_format" not in server.log[0]

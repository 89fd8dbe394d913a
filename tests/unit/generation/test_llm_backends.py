"""The hybrid and llm backends end to end: `toolgym generate --backend ...` with the real `openai` client against
a scripted server on 127.0.0.1; model-written tool code runs in the real sandbox."""

import json
import os

import gymnasium as gym
import pytest

from tests.fixtures.extras import require
from tests.fixtures import generation_server as gs
from tests.fixtures.generation_server import Answer, GenerationServer
from toolgym.cli import main
from toolgym.cli.commands import task_problems
from toolgym.envs import ToolEnv
from toolgym.generation.backends.llm.dedup import near_duplicates
from toolgym.models import load_tasks


@pytest.fixture(autouse=True)
def _openai():
    require("openai")


def generate(server, out, backend="hybrid", *extra):
    return main(["generate", "--backend", backend, "--base-url", server.base_url, "--model", "scripted",
                 "--max-retries", "1", "--out", str(out), *extra])


def manifest(out):
    return json.loads(open(str(out) + ".manifest.json").read())


def play_oracle(task):
    env = ToolEnv([task])
    env.reset(seed=0)
    for action in env.oracle_actions():
        *_, info = env.step(action)
    env.close()
    return info["answer_correct"]


# -- hybrid ------------------------------------------------------------------------------------------------------

def test_hybrid_tasks_are_verifiable_valid_and_playable(tmp_path, capsys):
    out = tmp_path / "h.jsonl"
    with GenerationServer(gs.hybrid_ok) as server:
        assert generate(server, out, "hybrid", "--domains", "travel,food", "--levels", "1,2,3", "--n", "2") == 0
    tasks = load_tasks(out)
    assert len(tasks) == 12
    for task in tasks:
        assert task.question.startswith("Hello! I was wondering:")
        assert all(t.function.description.startswith("This tool lets you") for t in task.tools)
        assert task.provenance.generator == "hybrid" and task_problems(task) == []
    assert play_oracle(tasks[0]) and play_oracle(tasks[-1])
    m = manifest(out)
    assert m["backend"] == "hybrid" and m["model"] == "scripted" and m["counts"]["kept"] == 12
    assert set(m["prompt_versions"]) >= {"rewrite_question", "rewrite_tools"}
    # one request per question and per tool description (the same description in two tasks: one request)
    described = sum(len(t.tools) for t in tasks)
    assert m["rewrites"] == {"question_rewritten": 12, "description_rewritten": described}
    assert m["usage"]["requests"] + m["usage"]["cache_hits"] == 12 + described == len(server.log) + \
        m["usage"]["cache_hits"]
    assert m["usage"]["prompt_tokens"] == m["usage"]["requests"] * gs.PROMPT_TOKENS
    assert m["stopped"] is None and m["rejections"] == {}
    capsys.readouterr()
    assert main(["validate", str(out)]) == 0 and "12 of 12 tasks valid" in capsys.readouterr().out


def _bad_rewrite(kind):
    def respond(request, server):
        if gs.stage_of(request) != "rewrite_question":
            return Answer(gs.rewrite_tools(request))
        if kind == "drops_entity":
            return Answer(json.dumps({"question": "What is the yearly passenger count of that airport?"}))
        answer = server.answers[0]
        return Answer(json.dumps({"question": f"Is it {answer}? " + json.loads(gs.rewrite_question(request))
                                  ["question"]}))
    return respond


@pytest.mark.parametrize("kind, words", [("drops_entity", "must contain the name"),
                                         ("leaks", "must not state the answer")])
def test_a_refused_question_keeps_its_procedural_wording(tmp_path, kind, words):
    """The question's rewrite is refused (and fed back) every time; the descriptions pass: the task is kept with
    the procedural question, and the fallback is counted."""
    out = tmp_path / "h.jsonl"
    with GenerationServer(_bad_rewrite(kind)) as server:
        server.answers = [_answers_of_run()]
        assert generate(server, out, "hybrid", "--domains", "travel", "--levels", "1", "--n", "1",
                        "--max-attempts", "1") == 0
    [task] = load_tasks(out)
    assert task.question == _procedural().question and task_problems(task) == []
    assert all(t.function.description.startswith("This tool lets you") for t in task.tools)
    m = manifest(out)
    assert m["rejections"] == {} and m["counts"]["kept"] == 1
    assert m["rewrites"] == {"question_procedural": 1, "description_rewritten": len(task.tools)}
    assert m["usage"]["invalid_replies"] == 3
    feedback = [gs.feedback(r) for r in server.log if gs.turns(r)]
    assert len(feedback) == 2 and all(words in f for f in feedback)


def test_an_attempt_the_model_rewrote_nothing_of_is_rejected(tmp_path):
    out = tmp_path / "h.jsonl"
    with GenerationServer(lambda request, server: Answer("Sure! Here it is.")) as server:
        assert generate(server, out, "hybrid", "--domains", "travel", "--levels", "1", "--n", "1",
                        "--max-attempts", "2") == 0
    m = manifest(out)
    assert load_tasks(out) == [] and m["rejections"] == {"no_rewrite": 2} and m["counts"]["dropped"] == 1
    assert m["rewrites"]["question_procedural"] == 2 and "description_rewritten" not in m["rewrites"]
    assert {gs.stage_of(r) for r in server.log} == {"rewrite_question", "rewrite_tools"}


def _procedural():
    """The run's only task as the procedural backend makes it (the hybrid's skeleton)."""
    from toolgym.generation import generate_task
    return generate_task("travel", 1, 0)


def _answers_of_run():
    return _procedural().answer


def test_a_description_stating_a_value_keeps_its_procedural_wording(tmp_path):
    def respond(request, server):
        if gs.stage_of(request) == "rewrite_question":
            return Answer(gs.rewrite_question(request))
        return Answer(json.dumps({"description": f"Returns values like {_answers_of_run()}."}))

    out = tmp_path / "h.jsonl"
    with GenerationServer(respond) as server:
        generate(server, out, "hybrid", "--domains", "travel", "--levels", "1", "--n", "1", "--max-attempts", "1")
    [task] = load_tasks(out)
    assert task.question.startswith("Hello! I was wondering:") and task_problems(task) == []
    assert [t.function.description for t in task.tools] == [t.function.description for t in _procedural().tools]
    assert manifest(out)["rewrites"] == {"question_rewritten": 1, "description_procedural": len(task.tools)}
    assert "must not state the value" in server.log[-1]["messages"][-1]["content"]


# -- llm ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("scenario, level", [("l1", "1"), ("l2", "2")])
def test_llm_tasks_from_model_written_code_are_valid_and_playable(tmp_path, scenario, level):
    out = tmp_path / "l.jsonl"
    with GenerationServer(gs.llm_ok(scenario)) as server:
        assert generate(server, out, "llm", "--domains", "travel", "--levels", level, "--n", "1") == 0
    [task] = load_tasks(out)
    assert task.provenance.generator == "llm" and task_problems(task) == []
    assert play_oracle(task)
    if scenario == "l2":
        assert task.answer == "215" and task.scenario.value == "parallel_single_hop"
        # the two price lookups overlap (one kind, one field): one tool, called twice
        assert [t.name for t in task.tools].count("get_hotel_price") == 1
        assert [c.name for c in task.gold_plan[0]] == ["get_hotel_price", "get_hotel_price"]
    m = manifest(out)
    assert m["backend"] == "llm" and m["counts"]["kept"] == 1 and m["rejections"] == {}


def _code(first, then=None):
    """llm_ok, with stage 5's first reply from `first` and the repairs from `then` (default: `first`)."""
    ok = gs.llm_ok("l1")

    def respond(request, server):
        if gs.stage_of(request) != "deploy" or "Museum" in gs.first_user(request) or "fact" in \
                gs.first_user(request):
            return ok(request, server)
        return Answer((first if gs.turns(request) == 0 else (then or first))(request))
    return respond


def test_failing_code_is_repaired_from_its_gold_call(tmp_path):
    out = tmp_path / "l.jsonl"
    with GenerationServer(_code(gs.wrong_code, gs.good_code)) as server:
        assert generate(server, out, "llm", "--domains", "travel", "--levels", "1", "--n", "1") == 0
    [task] = load_tasks(out)
    assert task_problems(task) == []
    repairs = [gs.feedback(r) for r in server.log if gs.stage_of(r) == "deploy" and gs.turns(r)]
    assert len(repairs) == 1 and "The code failed when it ran" in repairs[0] and "it must return a dict " \
        "containing '4'" in repairs[0]


def test_code_that_never_works_is_rejected_after_the_repair_rounds(tmp_path):
    out = tmp_path / "l.jsonl"
    with GenerationServer(_code(gs.wrong_code)) as server:
        generate(server, out, "llm", "--domains", "travel", "--levels", "1", "--n", "1", "--max-attempts", "2",
                 "--repair-rounds", "2")
    assert load_tasks(out) == [] and manifest(out)["rejections"] == {"code_failed": 2}
    deploys = [r for r in server.log if gs.stage_of(r) == "deploy" and "hotel" in gs.first_user(r)]
    # the first code and two repairs; the second attempt's scripted scenario is the same, so its deploy requests
    # are the same and come from the cache
    assert len(deploys) == 3 and manifest(out)["usage"]["cache_hits"] >= 3


def test_hostile_code_is_refused_by_the_sandbox_and_rejected(tmp_path):
    marker = tmp_path / "ran-in-process"

    def hostile(request):
        """Correct answers, after writing a file outside the sandbox's scratch directory."""
        name, params = gs.signature(request)
        source = json.loads(gs.good_code(request))["code"].replace(f"def {name}(", f"def _{name}(")
        return json.dumps({"code": source + f"\ndef {name}(*args, **kwargs):\n    open({str(marker)!r}, 'w')"
                                            f".write('x')\n    return _{name}(*args, **kwargs)\n"})

    out = tmp_path / "b.jsonl"
    with GenerationServer(_code(hostile)) as server:
        generate(server, out, "llm", "--domains", "travel", "--levels", "1", "--n", "1", "--max-attempts", "1",
                 "--repair-rounds", "1")
    assert manifest(out)["rejections"] == {"code_forbidden": 1} and not marker.exists()
    repair = next(gs.feedback(r) for r in server.log if gs.stage_of(r) == "deploy" and gs.turns(r))
    assert "forbidden operation in the sandbox" in repair


def test_stage_5_replays_model_written_code_in_the_sandbox(tmp_path):
    """Code that answers right only outside this process: kept, so no replay ran it in-process."""
    def elsewhere(request):
        name, params = gs.signature(request)
        source = json.loads(gs.good_code(request))["code"].replace(f"def {name}(", f"def _{name}(")
        return json.dumps({"code": "import os\n" + source + f"\ndef {name}(*args, **kwargs):\n"
                                   f"    if os.getpid() == {os.getpid()}:\n        return 'in-process'\n"
                                   f"    return _{name}(*args, **kwargs)\n"})

    out = tmp_path / "a.jsonl"
    with GenerationServer(_code(elsewhere)) as server:
        assert generate(server, out, "llm", "--domains", "travel", "--levels", "1", "--n", "1") == 0
    assert len(load_tasks(out)) == 1 and manifest(out)["rejections"] == {}


def test_a_scenario_with_a_broken_chain_is_fed_back(tmp_path):
    broken = json.dumps({"question": "How many gates has the airport of Hotel Ara's city?", "aggregation": None,
                         "sub_questions": [
                             {"id": "q1", "text": "city of Hotel Ara", "kind": "hotel", "subject": "Hotel Ara",
                              "field": "city", "answer": "Vorfum"},
                             {"id": "q2", "text": "airport of the city", "kind": "city", "subject": "Somewhere",
                              "field": "airport", "answer": "Brek Airport", "depends_on": ["q1"]}]})

    def respond(request, server):
        return Answer(broken) if gs.stage_of(request) == "decompose" else gs.llm_ok()(request, server)

    out = tmp_path / "l.jsonl"
    with GenerationServer(respond) as server:
        generate(server, out, "llm", "--domains", "travel", "--levels", "3", "--n", "1", "--max-attempts", "1")
    assert manifest(out)["rejections"] == {"invalid_decompose": 1}
    assert "q2's subject must be q1's answer 'Vorfum', got 'Somewhere'" in server.log[1]["messages"][-1]["content"]


# -- the run: failures, partial results, resume, dedup --------------------------------------------------------

def test_a_server_that_dies_midway_keeps_the_tasks_made(tmp_path, capsys):
    def respond(request, server):
        with server.lock:  # it dies at the third task's first request
            started = sum(1 for r in server.log if gs.stage_of(r) == "rewrite_question")
        return gs.hybrid_ok(request, server) if started <= 2 else Answer(status=500)

    out = tmp_path / "h.jsonl"
    with GenerationServer(respond) as server:
        assert generate(server, out, "hybrid", "--domains", "travel", "--levels", "1", "--n", "8",
                        "--concurrency", "1") == 1
    assert len(load_tasks(out)) == 2
    m = manifest(out)
    # the worker may have begun one more task before the stop: 3 or 4 failed tasks, and nothing after them
    assert m["stopped"].startswith("the server failed 3 tasks in a row") and m["rejections"]["server_500"] in (3, 4)
    assert m["counts"]["dropped"] == 8 - 2
    assert "stopped early" in capsys.readouterr().err


def test_an_unreachable_server_is_a_clear_error(tmp_path, capsys):
    out = tmp_path / "h.jsonl"
    assert main(["generate", "--backend", "hybrid", "--base-url", "http://127.0.0.1:9/v1", "--model", "m",
                 "--max-retries", "0", "--domains", "travel", "--levels", "1", "--n", "2", "--out", str(out)]) == 1
    assert "cannot reach the server at http://127.0.0.1:9/v1" in manifest(out)["stopped"]
    assert load_tasks(out) == []


def test_a_rerun_resumes_from_the_cache(tmp_path):
    out = tmp_path / "h.jsonl"
    args = ("--domains", "weather", "--levels", "1,2", "--n", "3", "--concurrency", "3")
    with GenerationServer(gs.hybrid_ok) as server:
        generate(server, out, "hybrid", *args)
        first, requests, usage = out.read_bytes(), len(server.log), manifest(out)["usage"]
        generate(server, out, "hybrid", *args)
    assert len(server.log) == requests and out.read_bytes() == first
    # every ask of the first run is a hit (a description shared by two tasks asked at once may be sent twice)
    assert manifest(out)["usage"]["cache_hits"] == usage["requests"] + usage["cache_hits"]
    assert manifest(out)["usage"]["requests"] == 0 and usage["requests"] == requests


@pytest.mark.parametrize("args, words", [
    ([], "--backend llm needs --base-url and --model"),
    (["--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--repair-rounds", "-1"], "--repair-rounds must be"),
    (["--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--concurrency", "0"], "concurrency and max_attempts"),
    (["--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--timeout", "0"], "timeout must be positive"),
    (["--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--trace"], "--trace is for the procedural"),
    (["--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--dedup-threshold", "1.5"], "threshold must be in"),
])
def test_cli_arguments_are_checked(tmp_path, capsys, args, words):
    assert main(["generate", "--backend", "llm", "--levels", "1", "--n", "1", "--out", str(tmp_path / "x.jsonl"),
                 *args]) == 2
    assert words in capsys.readouterr().err


def test_near_duplicates_keep_the_first_of_each_group():
    questions = [("travel", "What is the price of Hotel Ara?"), ("travel", "what is the PRICE of hotel ara"),
                 ("food", "What is the price of Hotel Ara?"), ("travel", "Where is Hotel Ara?")]
    assert near_duplicates(questions) == {1}
    assert near_duplicates(questions, threshold=0.2) == {1, 3}  # 2 of 8 words shared
    with pytest.raises(ValueError, match="threshold"):
        near_duplicates(questions, threshold=0)


def test_a_generated_set_runs_in_gym_make_envs(tmp_path):
    from toolgym.envs.registration import register_tasks

    out = tmp_path / "h.jsonl"
    with GenerationServer(gs.hybrid_ok) as server:
        generate(server, out, "hybrid", "--domains", "sports", "--levels", "2", "--n", "2")
    env = gym.make(register_tasks("llm-hybrid-test", out, override=True))
    obs, info = env.reset(seed=1)
    assert obs[0]["content"].endswith(env.unwrapped.task.question) and info["tools"]
    for action in env.unwrapped.oracle_actions():
        *_, info = env.step(action)
    assert info["answer_correct"]
    env.close()


@pytest.mark.parametrize("name, description, keeps", [
    ("get_airport_passengers", "Gives the number of people living in a city.", False),  # an example copied
    ("get_airport_passengers", "How many passengers use an airport in a year.", True),
    ("get_hotel_price", "What a night costs at a hotel.", True),
    ("get_city_info_v2", "Facts about a city, from archived listings.", True),
    ("retrieveChefDetails", "Facts about a chef: technique and trainees.", True),  # camel case, any verb
    ("query_restaurant_opened", "Get the opening date of a given restaurant.", True),
    ("query_restaurant_opened", "Get the cuisine of a given dish.", False),
])
def test_a_description_must_keep_its_tools_topic(name, description, keeps):
    from toolgym.generation.backends.llm.hybrid import keeps_topic
    assert keeps_topic(name, description) is keeps


def test_a_rewritten_question_may_not_add_numbers():
    from toolgym.generation import trace_task
    from toolgym.generation.backends.llm.hybrid import question_problems
    scenario = trace_task("travel", 1, 0).scenario
    subject = scenario.sub_questions[0].subject
    assert question_problems(scenario, f"Tell me about {subject}, please.") == []
    assert question_problems(scenario, f"Is {subject} between 100 and 150?") == [
        "it must not add numbers the question did not have: 100, 150"]

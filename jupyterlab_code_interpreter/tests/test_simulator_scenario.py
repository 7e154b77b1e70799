"""Scenario loading and validation, and rule matching, without a server."""

import json

import pytest

from jupyterlab_code_interpreter.simulator import Scenario, ScenarioError, load_scenario
from jupyterlab_code_interpreter.simulator.conversation import read_conversation
from jupyterlab_code_interpreter.simulator.matching import Matcher


def conversation(*messages, tools=False):
    body = {"model": "gpt-4o", "messages": list(messages)}
    if tools:
        body["tools"] = [{"type": "function", "function": {"name": "run_python"}}]
    return read_conversation(body, None)


def user(text):
    return {"role": "user", "content": text}


def test_yaml_and_json_files_load_the_same(tmp_path):
    data = {"rules": [{"match": {"last_user": "plot"}, "reply": {"content": "a plot"}}]}
    (tmp_path / "s.json").write_text(json.dumps(data))
    (tmp_path / "s.yaml").write_text("rules:\n  - match: {last_user: plot}\n    reply: a plot\n")
    from_json = load_scenario(tmp_path / "s.json")
    from_yaml = load_scenario(str(tmp_path / "s.yaml"))
    assert isinstance(from_json, Scenario)
    assert from_json.rules[0].reply == from_yaml.rules[0].reply
    assert from_json.api_keys == ("sim-key",)


@pytest.mark.parametrize(
    "data, field",
    [
        ({"rules": [{"match": {"turn": "one"}, "reply": "x"}]}, "rules[0].match.turn"),
        ({"rules": [{"match": {"last_usr": "x"}, "reply": "x"}]}, "rules[0].match.last_usr"),
        ({"rules": [{"reply": "ok"}, {"match": {}}]}, "rules[1]"),
        ({"rules": [{"fault": {"kind": "explode"}}]}, "rules[0].fault.kind"),
        ({"rules": [{"match": {"last_user": "("}, "reply": "x"}]}, "rules[0].match.last_user"),
        ({"deployments": {"gpt": {"rpm": 0}}}, "deployments.gpt.rpm"),
        ({"default": {"finish_reason": "done", "content": "x"}}, "default.finish_reason"),
        ({"api_key": []}, "api_key"),
        ({"timing": {"ttft_ms": -1}}, "timing.ttft_ms"),
        ({"colour": "blue"}, "scenario.colour"),
    ],
)
def test_invalid_scenarios_name_the_field(data, field):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(data)
    assert str(caught.value).startswith(field + ":")


def test_tool_call_arguments_are_serialised_once():
    scenario = load_scenario(
        {"default": {"tool_calls": [{"name": "run_python", "arguments": {"code": "1+1"}}]}}
    )
    assert json.loads(scenario.default.tool_calls[0].arguments) == {"code": "1+1"}


def test_rules_match_on_every_given_condition():
    scenario = load_scenario(
        {
            "rules": [
                {"name": "tool", "match": {"last_tool": "Error"}, "reply": "fixing"},
                {"name": "second", "match": {"turn": 1}, "reply": "again"},
                {
                    "name": "tools",
                    "match": {"last_user": "(?i)plot", "has_tools": True},
                    "reply": "p",
                },
                {"name": "system", "match": {"system": "pirate"}, "reply": "arr"},
            ],
            "default": "plain",
        }
    )
    matcher = Matcher(scenario)

    def chosen(conv):
        decision = matcher.decide(conv, None)
        return decision.rule.name if decision.rule else None

    assert chosen(conversation(user("PLOT it"), tools=True)) == "tools"
    assert chosen(conversation(user("plot it"))) is None
    assert chosen(conversation({"role": "system", "content": "a pirate"}, user("hi"))) == "system"
    tool_result = {"role": "tool", "tool_call_id": "c", "content": "NameError: x"}
    assistant = {"role": "assistant", "content": None, "tool_calls": []}
    assert chosen(conversation(user("x"), assistant, tool_result)) == "tool"
    assert chosen(conversation(user("x"), assistant, user("y"))) == "second"


def test_list_content_parts_are_matched_as_text():
    parts = [{"type": "text", "text": "draw a"}, {"type": "text", "text": "plot"}]
    assert conversation(user(parts)).last_user == "draw a\nplot"


def test_times_budget_falls_through_after_use():
    scenario = load_scenario(
        {
            "rules": [
                {"match": {}, "fault": {"kind": "http", "status": 503, "times": 2}, "reply": "ok"},
            ]
        }
    )
    matcher = Matcher(scenario)
    kinds = []
    for _ in range(3):
        decision = matcher.decide(conversation(user("x")), None)
        matcher.commit(decision)
        kinds.append(decision.fault.status if decision.fault else decision.reply.content)
    assert kinds == [503, 503, "ok"]


def test_the_demo_scenario_drives_the_interpreter():
    """`make run` with no model uses the demo: its prompts must reach the interpreter's
    run_python tool, and each run's output must lead to an answer."""
    from pathlib import Path

    import jupyterlab_code_interpreter.simulator as simulator

    demo = Path(simulator.__file__).parent / "examples" / "demo.yaml"
    matcher = Matcher(load_scenario(demo))

    def chosen(conv):
        decision = matcher.decide(conv, None)
        return decision.rule.name if decision.rule else None

    for prompt, rule in [("Plot a chart", "plot"), ("solve x", "solve"), ("a QR code", "qrcode")]:
        assert chosen(conversation(user(prompt), tools=True)) == rule
        reply = matcher.decide(conversation(user(prompt), tools=True), None).reply
        assert reply.tool_calls and reply.tool_calls[0].name == "run_python"
    assistant = {"role": "assistant", "content": None, "tool_calls": []}
    for output, rule in [
        ("points: 200", "plot-answer"),
        ("[2, 3]", "solve-answer"),
        ("saved qrcode.png", "qrcode-answer"),
        ("ModuleNotFoundError: No module named 'qrcode'", "failed-run"),
    ]:
        result = {"role": "tool", "tool_call_id": "c", "content": output}
        assert chosen(conversation(user("x"), assistant, result, tools=True)) == rule
    # Small talk is offered no tools and gets no code.
    assert chosen(conversation(user("hello"))) == "greeting"

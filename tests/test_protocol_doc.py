"""docs/protocol.md is a public contract: it must name every command, and its
command examples must pass the registry's schemas."""
import json
import re
from pathlib import Path

from sinkron.meeting.commands import REGISTRY
from sinkron.meeting.errors import CODES
from sinkron.meeting.schema import parse

DOC = (Path(__file__).resolve().parent.parent / "docs" / "protocol.md").read_text()


def command_examples() -> list[dict]:
    blocks = re.findall(r"```json\n(.*?)\n```", DOC, flags=re.S)
    found = []
    for block in blocks:
        try:
            value = json.loads(block)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict) and "op_id" in value and "type" in value:
            found.append(value)
    return found


def test_every_command_has_a_section_and_an_example():
    headings = set(re.findall(r"^### `([a-z_.]+)`", DOC, flags=re.M))
    assert headings == set(REGISTRY)
    assert {e["type"] for e in command_examples()} == set(REGISTRY)


def test_command_examples_fit_their_schemas():
    for example in command_examples():
        cmd = REGISTRY[example["type"]]
        parse(cmd.fields, example, ignore=frozenset({"op_id", "type"}))


def test_every_error_code_is_documented():
    table = re.search(r"## 4\. Error codes(.*?)\n## ", DOC, flags=re.S).group(1)
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.M))
    assert documented == set(CODES) | {"unavailable"}


def test_snapshot_keys_are_documented(live, demo):
    snap = live(demo.sites[0].projector_token).snapshot
    section = re.search(r"### The snapshot(.*?)\n<a id=", DOC, flags=re.S).group(1)
    for key in snap:
        assert f"| `{key}` |" in section or f'"{key}"' in section, key


def _json_blocks() -> list:
    out = []
    for block in re.findall(r"```json\n(.*?)\n```", DOC, flags=re.S):
        try:
            out.append(json.loads(block))
        except json.JSONDecodeError:
            continue
    return out


def _suggestion_lists(value):
    """Every list of suggestions in a documented message."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ("focus_suggestions", "suggestions") and isinstance(v, list):
                yield v
            elif k == "suggestions" and isinstance(v, dict):
                yield from v.values()
            else:
                yield from _suggestion_lists(v)
    elif isinstance(value, list):
        for v in value:
            yield from _suggestion_lists(v)


def test_suggestion_examples_have_the_shapes_the_server_sends():
    from sinkron.meeting.suggestions import EVENT, PHONE_TOP, TOP, public_data
    blocks = _json_blocks()
    full, public = [b for b in blocks if isinstance(b, dict) and b.get("type") == EVENT]
    assert set(full["data"]) == {"suggestions", "cleared", "focus", "focus_suggestions"}
    assert full["actor"] is None and public["actor"] is None
    assert public["data"] == public_data(full["data"])
    lists = [x for b in blocks for x in _suggestion_lists(b)]
    assert len(lists) >= 6
    for items in lists:
        assert 1 <= len(items) <= TOP
        for s in items:
            assert set(s) == {"plan_item_id", "score", "strong", "reasons"}
            assert isinstance(s["plan_item_id"], int) and 0 <= s["score"] <= 1 and isinstance(s["strong"], bool)
            assert s["reasons"] and all(set(r) == {"kind", "detail"} for r in s["reasons"])
    for b in blocks:
        if isinstance(b, dict) and "focus_suggestions" in b:
            assert len(b["focus_suggestions"]) <= PHONE_TOP
        if isinstance(b, dict) and "focus_suggestions" in b.get("data", {}):
            assert len(b["data"]["focus_suggestions"]) <= PHONE_TOP


def test_the_matchers_suggestions_have_the_documented_shape():
    from sinkron.matching import Reason, Suggestion
    s = Suggestion(plan_item_id=4, score=0.81234, strong=True, reasons=(Reason("words", "garam, prisma"),))
    assert s.to_json() == {"plan_item_id": 4, "score": 0.812, "strong": True,
                           "reasons": [{"kind": "words", "detail": "garam, prisma"}]}

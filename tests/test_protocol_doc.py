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

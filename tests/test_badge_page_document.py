"""A badge page rendered from credpress's own templates gets only the proof of its credential:
the same page, since those templates read nothing else of it; any template of the provider's
gets the whole credential."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from conftest import make_build
from jinja2 import FileSystemLoader, nodes

from credpress.output.writer import json_bytes
from credpress.site.generators.credentials import signed_proof
from credpress.site.render import environment

GOLDEN = Path(__file__).resolve().parent / "golden" / "small" / "credentials"


def test_signed_proof_of_the_golden_credentials():
    files = sorted(GOLDEN.glob("*.json"))
    assert files
    for path in files:
        data = path.read_bytes()
        assert signed_proof(data) == json.loads(data)["proof"]


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (b'{"a":1,"proof":[{"cryptosuite":"x"}]}\n', True),
        (b'{"a":1,"proof":[1]}', True),
        (b'{"a":1,"proof":[1] } \r\n', True),
        (b'{"a":1,"proof":{"b":[]}}', True),
        (b'{"proof":[0],"a":1,"proof":[2]}\n', True),  # a repeated key: the last counts
        (b'{"x":{"y":1,"proof":[3]},"proof":[4]}', True),
        (b'{"a":"\\",\\"proof\\":[9]}","proof":[1]}', True),  # an escaped look-alike in a string
        (b'{"a":1,"proof":[1],"b":2}', False),  # not the last member
        (b'{"a":1,"b":{"c":2,"proof":[2]}}', False),  # a nested object's
        (b'{"a":[{"b":1,"proof":[3]}]}', False),
        (b'[{"a":1,"proof":[3]}]', False),
        (b'{"a":1, "proof": [1]}', False),  # not compact: not read
        (b'{"proof":[1]}', False),  # no comma before it
        (b'{"a":1,"pro\\u006ff":[1]}', False),
        (b'{"a":1}', False),
        ('{"a":"é","proof":["ü\\ud800"]}\n'.encode("utf-8", "surrogatepass"), True),
    ],
)
def test_signed_proof_is_the_parsed_documents(data, found):
    proof = signed_proof(data)
    if found:
        assert proof == json.loads(data)["proof"]
    else:
        assert proof is None


def _random_value(rng: random.Random, depth: int) -> object:
    kind = rng.randrange(6 if depth < 4 else 3)
    if kind == 0:
        return rng.choice(["proof", '","proof":[', "\\", "é", ",", "}", ""])
    if kind == 1:
        return rng.choice([0, -1, 2.5, 10**20])
    if kind == 2:
        return rng.choice([None, True, False])
    if kind == 3:
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(["proof", "a", "b", "id"]): _random_value(rng, depth + 1) for _ in range(rng.randrange(4))}


def test_signed_proof_is_the_parsed_documents_at_random():
    rng = random.Random(3)
    read = 0
    for _ in range(3000):
        document = _random_value(rng, 0)
        if not isinstance(document, dict):
            continue
        if rng.random() < 0.5:  # a proof last, as a signed credential has it
            document.pop("proof", None)
            document["proof"] = _random_value(rng, 1)
        data = json_bytes(document)
        proof = signed_proof(data)  # None: parsed in full then (only not sped up)
        if proof is not None:
            read += 1
            assert proof == document["proof"]
    assert read > 100


def _reached(env, name: str) -> set[str]:
    from jinja2 import meta

    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo += meta.find_referenced_templates(env.parse(env.loader.get_source(env, current)[0]))
    return seen


def test_builtin_templates_read_only_the_proof_of_document():
    env = environment()
    reached = _reached(env, "credential.html")
    assert {"credential.html", "base.html", "og.html", "footer.html"} <= reached
    uses = 0
    for name in reached:
        tree = env.parse(env.loader.get_source(env, name)[0])
        parents = {id(child): node for node in tree.find_all(nodes.Node) for child in node.iter_child_nodes()}
        for found in tree.find_all(nodes.Name):
            if found.name == "document":
                parent = parents.get(id(found))
                assert isinstance(parent, nodes.Getattr) and parent.attr == "proof", name
                uses += 1
    assert uses == 1


def test_builtin_only(tmp_path):
    assert environment().builtin_only("credential.html")
    assert environment(tmp_path / "absent").builtin_only("credential.html")
    assert environment(tmp_path).builtin_only("credential.html")  # an empty site_templates/
    (tmp_path / "home.html").write_text("not on a badge page", "utf-8")
    assert environment(tmp_path).builtin_only("credential.html")
    for name in ("footer.html", "og.html", "macros.html", "credential.html"):
        other = tmp_path / name.split(".")[0]
        other.mkdir()
        (other / name).write_text("{{ document }}", "utf-8")
        assert not environment(other).builtin_only("credential.html"), name
    (tmp_path / "default").mkdir()
    (tmp_path / "default" / "og.html").write_text("{{ document }}", "utf-8")  # site_templates/ comes first
    assert environment(tmp_path).builtin_only("credential.html")
    assert not environment(tmp_path).builtin_only("default/og.html")


def test_builtin_only_refuses_names_made_at_run_time(tmp_path):
    own, provider = tmp_path / "own", tmp_path / "provider"
    own.mkdir()
    provider.mkdir()
    (own / "dynamic.html").write_text('{% include "x" ~ name %}', "utf-8")
    (own / "fixed.html").write_text('{% include "plain.html" %}{% from "plain.html" import m %}', "utf-8")
    (own / "plain.html").write_text("plain", "utf-8")
    env = environment(provider)
    env.builtin_loader = FileSystemLoader(str(own))
    assert not env.builtin_only("dynamic.html")
    assert env.builtin_only("fixed.html")
    assert not env.builtin_only("missing.html")
    (provider / "plain.html").write_text("the provider's", "utf-8")
    assert not env.builtin_only("fixed.html")


def test_a_provider_template_gets_the_whole_credential(small_content, key_file):
    templates = small_content.parent / "site_templates"
    templates.mkdir()
    (templates / "footer.html").write_text(
        "{% if document is defined %}<p>{{ document.id }} {{ document.issuer.id }}</p>{% endif %}\n", "utf-8"
    )
    out = small_content.parent / "_site"
    make_build(small_content, out, key_file)
    pages = sorted((out / "credentials").glob("*/index.html"))
    assert pages
    for page in pages:
        document = json.loads(page.parent.with_suffix(".json").read_text("utf-8"))
        assert f"<p>{document['id']} {document['issuer']['id']}</p>" in page.read_text("utf-8")

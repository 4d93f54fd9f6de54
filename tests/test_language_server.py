"""The recipes' JSON Schema in a real editor back end: yaml-language-server, driven over LSP.

VS Code's YAML extension, and most editors' YAML support, run yaml-language-server; what it
does with the schema is what a user sees while typing. jsonschema (test_schema.py) proves the
schema agrees with kgraphs; this proves the editor reads it as intended: completion of a GRU
node's own arguments inside its `args`, hover with an argument's kind, bounds and default, and
diagnostics at the right line for an unknown argument, an enum typo, a misspelt layer class
(a short message, not 155 names) and a YAML 1.1 boolean (`yes`), which recipes, like the
editor, read as a string.

The server (a pinned version, in build/node/) is installed by `make language-server`, which
`make test` runs first: a missing server fails here, it does not skip.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, clean_environment

from kgraphs.recipe.schema import modeline

pytestmark = [
    pytest.mark.slow,
    pytest.mark.backend_independent(reason="an editor reading the JSON Schema; no model"),
]

SERVER = ROOT / "build" / "node" / "node_modules" / ".bin" / "yaml-language-server"
TIMEOUT = 60  # seconds for any one answer; the server answers in well under one
SETTINGS = {
    "yaml": {
        "validate": True,
        "completion": True,
        "hover": True,
        "schemaStore": {"enable": False},  # no network: the modeline names the schema
    }
}

# A graph recipe with one mistake a line. Each (line, text) below is where the server must
# report something: lines are 0-based, as LSP counts them.
RECIPE = """\
version: 1
architecture: graph
config:
  inputs:
    - {name: tokens, shape: [null, 8]}
  nodes:
    - name: encode
      layer: GRU
      args:
        units: 16
        retrun_sequences: true
        dropout: 0.25
      inputs: tokens
    - name: conv
      layer: Conv1D
      args: {filters: 4, kernel_size: 3, padding: sam}
      inputs: encode
    - name: dense
      layer: Dens
      inputs: conv
    - name: flag
      layer: Dense
      args: {units: 2, use_bias: yes}
      inputs: dense
  outputs: flag
"""
# A GRU node's args being typed: the cursor is on the empty line (8 spaces) under `units`.
TYPING = """\
version: 1
architecture: graph
config:
  inputs:
    - {name: tokens, shape: [null, 8]}
  nodes:
    - name: encode
      layer: GRU
      args:
        units: 16
        {cursor}
      inputs: tokens
  outputs: encode
""".replace("{cursor}", " " * 8)


class LanguageServer:
    """A yaml-language-server process and the client side of LSP: JSON-RPC messages framed by
    a Content-Length header on stdin and stdout. A thread reads every message into a queue;
    the server's own requests (its configuration) are answered while waiting."""

    def __init__(self, root: Path) -> None:
        self.process = subprocess.Popen(
            [str(SERVER), "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=clean_environment(),
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.last_id = 0
        threading.Thread(target=self._read, daemon=True).start()
        capabilities = {
            "workspace": {"configuration": True},
            "textDocument": {
                "completion": {"completionItem": {"snippetSupport": False}},
                "hover": {"contentFormat": ["markdown", "plaintext"]},
            },
        }
        self.request(
            "initialize",
            {"processId": None, "rootUri": root.as_uri(), "capabilities": capabilities},
        )
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": SETTINGS})

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            headers = {}
            while line := stream.readline().decode("ascii").strip():
                name, value = line.split(":", 1)
                headers[name.lower()] = value.strip()
            if not headers:  # the server has exited
                return
            self.messages.put(json.loads(stream.read(int(headers["content-length"]))))

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.process.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self.last_id += 1
        sent = self.last_id
        self._send({"id": sent, "method": method, "params": params})
        answer = self.wait(lambda message: message.get("id") == sent and "method" not in message)
        assert "error" not in answer, answer
        return answer["result"]

    def wait(self, wanted) -> dict[str, Any]:
        """The next message `wanted` accepts, within TIMEOUT."""
        end = time.monotonic() + TIMEOUT
        while True:
            left = end - time.monotonic()
            try:
                message = self.messages.get(timeout=max(left, 0.01))
            except queue.Empty:
                message = f"yaml-language-server sent nothing wanted in {TIMEOUT} s"
                raise AssertionError(message) from None
            if "method" in message and "id" in message:  # the server asks the client
                self._send({"id": message["id"], "result": self._answer(message)})
            elif wanted(message):
                return message

    @staticmethod
    def _answer(message: dict[str, Any]) -> Any:
        if message["method"] != "workspace/configuration":
            return None
        items = message["params"]["items"]
        return [SETTINGS.get(item.get("section", "")) for item in items]

    def open(self, path: Path) -> list[dict[str, Any]]:
        """Open `path` as the editor does; the diagnostics the server publishes for it."""
        uri = path.as_uri()
        document = {"uri": uri, "languageId": "yaml", "version": 1, "text": path.read_text()}
        self.notify("textDocument/didOpen", {"textDocument": document})
        published = self.wait(
            lambda message: (
                message.get("method") == "textDocument/publishDiagnostics"
                and message["params"]["uri"] == uri
            )
        )
        return published["params"]["diagnostics"]

    def at(self, method: str, path: Path, line: int, character: int) -> Any:
        position = {"line": line, "character": character}
        return self.request(method, {"textDocument": {"uri": path.as_uri()}, "position": position})

    def close(self) -> None:
        self.process.kill()
        self.process.wait(timeout=TIMEOUT)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    assert SERVER.exists(), f"{SERVER.relative_to(ROOT)} is missing: run `make language-server`"
    root = tmp_path_factory.mktemp("editor")
    language_server = LanguageServer(root)
    yield language_server, root
    language_server.close()


def recipe_file(folder: Path, name: str, text: str) -> Path:
    """A recipe with the modeline `kgraphs export` writes: the packaged schema, relative."""
    path = folder / name
    path.write_text(modeline(path) + text, encoding="utf-8")
    return path


def lines(diagnostics: list[dict[str, Any]]) -> dict[int, list[str]]:
    """The messages by line (0-based, counting the modeline)."""
    found: dict[int, list[str]] = {}
    for diagnostic in diagnostics:
        found.setdefault(diagnostic["range"]["start"]["line"], []).append(diagnostic["message"])
    return found


def test_mistakes_in_args_are_reported_at_their_lines(server):
    language_server, root = server
    reported = lines(language_server.open(recipe_file(root, "mistakes.yaml", RECIPE)))
    shift = 1  # the modeline
    assert reported.pop(10 + shift) == ["Property retrun_sequences is not allowed."]
    assert reported.pop(15 + shift) == [
        'Value is not accepted. Valid values: "causal", "same", "valid".'
    ]
    [misspelt] = reported.pop(18 + shift)
    assert misspelt.startswith("Not a keras.layers class kgraphs knows")
    assert len(misspelt) < 200  # not the 155 names
    [boolean] = reported.pop(22 + shift)  # YAML 1.2: `yes` is a string, as kgraphs reads it
    assert boolean.startswith("Incorrect type. Expected") and "boolean" in boolean
    assert reported == {}  # nothing else: the units, the dropout, the other nodes are right


def test_completion_inside_a_gru_node_offers_its_arguments(server):
    language_server, root = server
    path = recipe_file(root, "typing.yaml", TYPING)
    assert lines(language_server.open(path)) == {}
    answer = language_server.at("textDocument/completion", path, 10 + 1, 8)
    labels = {item["label"] for item in (answer["items"] if isinstance(answer, dict) else answer)}
    gru = {"return_sequences", "return_state", "dropout", "recurrent_dropout", "go_backwards"}
    assert gru | {"activation", "kernel_initializer", "use_bias", "dtype"} <= labels
    assert not labels & {"units", "name", "filters", "search"}  # given; the node's; Conv1D's


def test_hover_shows_an_arguments_kind_bounds_and_default(server):
    language_server, root = server
    path = recipe_file(root, "hover.yaml", RECIPE)
    language_server.open(path)
    hovers = {
        line: language_server.at("textDocument/hover", path, line + 1, 9)["contents"]["value"]
        for line in (9, 11)
    }
    assert "An integer >= 1; required." in hovers[9]  # units
    assert "A number from 0 to 1; default: 0.0." in hovers[11]  # dropout


def test_a_shipped_graph_recipe_has_no_diagnostics(server):
    language_server, _ = server
    for name in ("seq2seq.yaml", "transformer_encoder.yaml"):
        assert language_server.open(ROOT / "recipes" / "graph" / name) == [], name

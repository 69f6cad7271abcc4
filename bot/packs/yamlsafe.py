"""Load maintainer-written YAML safely, keeping where every value came from.

Plain `yaml.safe_load` silently keeps the last of two duplicate keys and turns
unquoted `no`, `on` or `2026-01-05` into booleans and dates. Rule packs are edited by
non-programmers, so both must be reported, with the line and column of the value.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.packs.errors import Issue

MAX_FILE_BYTES = 512 * 1024
# libyaml's parser is an order of magnitude faster: it decides most of the cold start.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Location = tuple[int, int]
JsonPath = tuple[str | int, ...]


@dataclass
class Document:
    """A parsed file: its data and the (line, col) of every node, keyed by JSON path."""

    path: str
    data: Any
    positions: dict[JsonPath, Location] = field(default_factory=dict)

    def where(self, json_path: JsonPath) -> Location:
        """Position of the deepest known node on `json_path` (the file start if none)."""
        for cut in range(len(json_path), -1, -1):
            found = self.positions.get(tuple(json_path[:cut]))
            if found:
                return found
        return (1, 1)

    def issue(self, json_path: JsonPath, code: str, message: str) -> Issue:
        line, col = self.where(json_path)
        return Issue(self.path, line, col, code, message)


def _mark(node: yaml.Node) -> Location:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    """Turns a composed node tree into Python values while recording positions."""

    def __init__(self, doc: Document, issues: list[Issue]) -> None:
        self.doc = doc
        self.issues = issues
        self._constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: JsonPath) -> Any:
        # A mapping value is located at its key (set by _mapping): "line of `title:`".
        self.doc.positions.setdefault(path, _mark(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: JsonPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self._scalar(key_node, path) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                line, col = _mark(key_node)
                self.issues.append(
                    Issue(self.doc.path, line, col, "Y003", f"key {key!r} must be text; quote it")
                )
                continue
            if key in result:
                line, col = _mark(key_node)
                self.issues.append(
                    Issue(self.doc.path, line, col, "Y002", f"duplicate key '{key}'")
                )
                continue
            self.doc.positions[(*path, key)] = _mark(key_node)
            result[key] = self.build(value_node, (*path, key))
        return result

    def _scalar(self, node: yaml.Node, path: JsonPath) -> Any:
        value = self._constructor.construct_object(node, deep=True)
        if isinstance(value, bool | datetime.date) and not getattr(node, "style", None):
            # Kept as-is so the schema reports it; the hint explains the YAML trap.
            self.doc.positions[(*path, "__unquoted__")] = _mark(node)
        return value


def load_yaml(path: Path, display: str | None = None) -> tuple[Document | None, list[Issue]]:
    """Parse one file. Returns (document or None, issues). Never raises on bad input."""
    shown = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Issue(shown, 0, 0, "Y000", f"cannot read file: {exc.strerror}")]
    if len(raw) > MAX_FILE_BYTES:
        return None, [Issue(shown, 1, 1, "Y004", f"file larger than {MAX_FILE_BYTES} bytes")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [Issue(shown, 1, 1, "Y005", f"not UTF-8 text (byte {exc.start})")]
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return None, [Issue(shown, line, col, "Y001", f"YAML syntax: {exc.problem or exc}")]
    except yaml.YAMLError as exc:
        return None, [Issue(shown, 1, 1, "Y001", f"YAML syntax: {exc}")]
    doc = Document(shown, None)
    if node is None:
        return doc, [Issue(shown, 1, 1, "Y006", "file is empty")]
    issues: list[Issue] = []
    doc.data = _Builder(doc, issues).build(node, ())
    return doc, issues


def unquoted_hint(doc: Document, json_path: JsonPath, value: Any) -> str:
    """Explain the YAML 1.1 trap when a bool or date arrived where text was meant."""
    if (*json_path, "__unquoted__") not in doc.positions:
        return ""
    kind = "a yes/no value" if isinstance(value, bool) else "a date"
    return f" (YAML read this unquoted value as {kind}; put it in quotes)"

"""Build the chat widget into web/dist/ (`make web`), with its texts from interface_texts.yml.

    python -m tools.build_widget [--texts interface_texts.yml] [--out web/dist]

Writes:

- `rueckenbot.js`: socket.io-client's browser build, then web/src/widget.js
- `rueckenbot.css`: web/src/widget.css
- `demo.js`, `demo.css`: the demo page's script and style (web/demo.html loads them)

Each script gets its texts as `RUECKENBOT_TEXTS`, defined by this build in a function around the
script (nothing becomes global on the host page): the widget the `widget:` section (without
`demo_page`) and the few `answer:` texts it formats the source with, the demo page
`widget.demo_page`. The scripts hold no text of their own (tests/browser/test_widget_texts.py).

Checked first, so that an editor's slip never reaches the website: every key a script asks for
with `t("key", {…})` is a text, with no `{placeholder}` the script does not fill; every text under
`widget:` is used. Problems are printed as `interface_texts.yml:LINE: what is wrong, and how to fix
it` (in German, for editors); nothing is written then and the exit code is 1.
"""

from __future__ import annotations

import argparse
import json
import re
import string
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
SOURCES = WEB / "src"
SOCKET_IO = WEB / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
TEXTS_FILE = ROOT / "interface_texts.yml"
PAGE_FILE = ROOT / "knowledge" / "sources.yml"
SECTION = "widget"

# script in web/src -> its bundle in web/dist (the widget's comes after socket.io-client)
SCRIPTS = {
    "widget.js": "rueckenbot.js",
    "demo.js": "demo.js",
}
STYLES = {"widget.css": "rueckenbot.css", "demo.css": "demo.css"}

# t("widget.send"), t("widget.remaining", { count: n }) or tNodes(node, "widget.source", { page: a, … })
_CALL = re.compile(r"""\b(?:t\(|tNodes\(\s*\w+\s*,)\s*"(?P<key>[\w.]+)"\s*(?:,\s*\{(?P<values>[^{}]*)\})?""")
_VALUE_NAME = re.compile(r"(\w+)\s*:")


# --- JavaScript, just enough: comments, strings and regular expressions --------------------
# (for the key scan here, and for the test that no text is written in the scripts)
_KEYWORDS_BEFORE_REGEX = {"", "return", "typeof", "case", "in", "of", "delete", "void", "throw", "new"}
_REGEX_AFTER = set("(,=:[!&|?{};+-*%<>~^") | _KEYWORDS_BEFORE_REGEX
_UNICODE_ESCAPE = re.compile(r"\\u\{?([0-9a-fA-F]{4,6})\}?")


@dataclass(frozen=True)
class Token:
    kind: str  # "comment", "string" (also a template literal's text), "regex"
    start: int
    end: int
    value: str  # a string's text (\u escapes decoded), else the source text
    line: int


def _skip_quoted(source: str, i: int, quote: str) -> int:
    """Index after the closing quote of the string that opens at source[i]."""
    i += 1
    while i < len(source) and source[i] != quote:
        if source[i] == "\\":
            i += 1
        elif source[i] == "\n" and quote != "`":
            break  # an unterminated string ends with its line
        i += 1
    return i + 1


def _skip_regex(source: str, i: int) -> int:
    """Index after a regular expression literal (with its flags) that opens at source[i]."""
    i += 1
    in_class = False
    while i < len(source) and source[i] != "\n":
        c = source[i]
        if c == "\\":
            i += 1
        elif c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        elif c == "/" and not in_class:
            i += 1
            break
        i += 1
    while i < len(source) and (source[i].isalnum() or source[i] == "_"):
        i += 1
    return i


def _template_parts(source: str, i: int) -> tuple[list[str], int]:
    """The text parts of a template literal opening at source[i] (without ${…}), and the index after it."""
    parts, current = [], []
    i += 1
    while i < len(source) and source[i] != "`":
        if source[i] == "\\":
            current.append(source[i : i + 2])
            i += 2
        elif source.startswith("${", i):
            parts.append("".join(current))
            current = []
            depth, i = 1, i + 2
            while i < len(source) and depth:
                depth += {"{": 1, "}": -1}.get(source[i], 0)
                if source[i] in "'\"`" and depth:
                    i = _skip_quoted(source, i, source[i]) - 1
                i += 1
        else:
            current.append(source[i])
            i += 1
    parts.append("".join(current))
    return parts, i + 1


def _decode(raw: str) -> str:
    return _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), raw).replace("\\n", "\n")


def js_tokens(source: str) -> Iterator[Token]:
    """Comments, string literals and regular expressions of a script, in order."""
    i, previous = 0, ""
    while i < len(source):
        c = source[i]
        line = source.count("\n", 0, i) + 1
        if source.startswith("//", i) or source.startswith("/*", i):
            end = source.find("\n", i) if c == "/" and source[i + 1] == "/" else source.find("*/", i + 2) + 2
            end = len(source) if end < (2 if source[i + 1] == "*" else 0) or end == -1 else end
            yield Token("comment", i, end, source[i:end], line)
            i = end
        elif c in "'\"":
            end = _skip_quoted(source, i, c)
            yield Token("string", i, end, _decode(source[i + 1 : end - 1]), line)
            i, previous = end, "string"
        elif c == "`":
            parts, end = _template_parts(source, i)
            for part in parts:
                yield Token("string", i, end, _decode(part), line)
            i, previous = end, "string"
        elif c == "/" and previous in _REGEX_AFTER:
            end = _skip_regex(source, i)
            yield Token("regex", i, end, source[i:end], line)
            i, previous = end, "regex"
        elif c.isspace():
            i += 1
        elif c.isalnum() or c in "_$":
            start = i
            while i < len(source) and (source[i].isalnum() or source[i] in "_$"):
                i += 1
            previous = source[start:i]
        else:
            i, previous = i + 1, c


def without_comments(source: str) -> str:
    """The script with its comments blanked out (line numbers stay)."""
    out, last = [], 0
    for token in js_tokens(source):
        if token.kind == "comment":
            out.append(source[last : token.start])
            out.append(re.sub(r"[^\n]", " ", source[token.start : token.end]))
            last = token.end
    out.append(source[last:])
    return "".join(out)


class BuildError(Exception):
    """One or more problems, each `file:line: message`."""


def used_keys(script: str) -> dict[str, set[str]]:
    """Every text key a script asks for, with the placeholder names it fills in."""
    keys: dict[str, set[str]] = {}
    for match in _CALL.finditer(without_comments(script)):
        names = set(_VALUE_NAME.findall(match.group("values") or ""))
        keys.setdefault(match.group("key"), set()).update(names)
    return keys


def placeholders(text: str) -> set[str]:
    """The {names} in a text (ValueError for a lone brace)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _line(node: Any, key: str | None = None) -> int:
    """1-based line of `key` in a ruamel mapping (or of the mapping itself)."""
    if isinstance(node, CommentedMap):
        if key is not None and key in node:
            return node.lc.key(key)[0] + 1
        return node.lc.line + 1
    return 1


def _leaves(node: CommentedMap, prefix: str) -> Iterator[tuple[str, Any, int]]:
    for key, value in node.items():
        path = f"{prefix}.{key}"
        if isinstance(value, CommentedMap):
            yield from _leaves(value, path)
        else:
            yield path, value, _line(node, key)


def load_texts(path: Path) -> CommentedMap:
    try:
        with path.open(encoding="utf-8") as handle:
            data = YAML().load(handle)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise BuildError(
            f"{_shown(path)}:{line}: Die Datei ist kein gültiges YAML ({error.problem}). "
            "Prüfen Sie Einrückung und Anführungszeichen in dieser Zeile und darüber."
        ) from None
    if not isinstance(data, CommentedMap):
        raise BuildError(f"{_shown(path)}:1: Die Datei enthält keine Abschnitte (z. B. 'widget:').")
    return data


def lookup(data: CommentedMap, key: str) -> tuple[Any, int]:
    """(value or None, line of the key, or of the deepest mapping that exists)."""
    node: Any = data
    line = 1
    for part in key.split("."):
        if not isinstance(node, CommentedMap) or part not in node:
            return None, line
        line = _line(node, part)
        node = node[part]
    return node, line


def check(data: CommentedMap, scripts: dict[str, str], file_name: str) -> list[str]:
    """Problems with the texts the scripts use, as `file:line: message` in German."""
    problems: list[str] = []
    used: dict[str, set[str]] = {}
    for script in scripts.values():
        for key, names in used_keys(script).items():
            used.setdefault(key, set()).update(names)
    section = data.get(SECTION)
    if not isinstance(section, CommentedMap):
        return [f"{file_name}:{_line(data)}: Der Abschnitt '{SECTION}:' fehlt. Er enthält die Texte des Chat-Fensters."]
    for key in sorted(used):
        value, line = lookup(data, key)
        if value is None:
            problems.append(
                f"{file_name}:{line}: Der Text '{key}' fehlt. Das Chat-Fenster braucht ihn; "
                "fügen Sie ihn wieder ein (Schreibweise des Schlüssels genau so)."
            )
            continue
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{file_name}:{line}: '{key}' muss ein Text in Anführungszeichen sein, nicht leer.")
            continue
        try:
            found = placeholders(value)
        except ValueError:
            problems.append(
                f"{file_name}:{line}: In '{key}' steht eine einzelne geschweifte Klammer. "
                "Platzhalter schreiben Sie so: {name}; eine Klammer als Zeichen so: {{ oder }}."
            )
            continue
        unknown = sorted(found - used[key])
        if unknown:
            allowed = ", ".join("{" + n + "}" for n in sorted(used[key])) or "keine"
            problems.append(
                f"{file_name}:{line}: '{key}' enthält "
                + ", ".join("{" + n + "}" for n in unknown)
                + f", das das Chat-Fenster nicht ausfüllen kann. Erlaubte Platzhalter: {allowed}."
            )
    for key, _value, line in _leaves(section, SECTION):
        if key not in used:
            problems.append(
                f"{file_name}:{line}: Das Chat-Fenster verwendet den Text '{key}' nicht. "
                "Prüfen Sie die Schreibweise des Schlüssels, oder löschen Sie den Eintrag."
            )
    return problems


def plain_sections(path: Path = PAGE_FILE) -> list[str]:
    """Labels of the parts of the page without a heading of their own (shown without „…“)."""
    with path.open(encoding="utf-8") as handle:
        data = YAML(typ="safe").load(handle) or {}
    sections = data.get("sections") or {}
    return sorted(
        str(s["label"]) for s in sections.values() if isinstance(s, dict) and s.get("heading") is False and "label" in s
    )


def texts_for(data: CommentedMap, script: str) -> dict[str, Any]:
    """Exactly the texts one script asks for, nested by their keys."""
    result: dict[str, Any] = {}
    for key in sorted(used_keys(script)):
        value, _ = lookup(data, key)
        node = result
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = str(value)
    return result


def wrap(script: str, texts: dict[str, Any], extra: dict[str, Any]) -> str:
    """The script inside a function that defines its texts (generated: edit interface_texts.yml)."""
    definitions = [f"var RUECKENBOT_TEXTS = {json.dumps(texts, ensure_ascii=False, sort_keys=True)};"]
    definitions += [f"var {name} = {json.dumps(value, ensure_ascii=False)};" for name, value in extra.items()]
    return (
        "/* Generated by tools/build_widget.py: the texts come from interface_texts.yml. */\n"
        "(function () {\n" + "\n".join(definitions) + "\n" + script.rstrip() + "\n})();\n"
    )


def build(texts_file: Path, out: Path, vendor_file: Path = SOCKET_IO) -> None:
    scripts = {name: (SOURCES / name).read_text(encoding="utf-8") for name in SCRIPTS}
    data = load_texts(texts_file)
    problems = check(data, scripts, _shown(texts_file))
    if problems:
        raise BuildError("\n".join(problems))
    if not vendor_file.exists():
        raise BuildError(f"{_shown(vendor_file)} is missing: run `make web` (it installs the npm packages)")
    extras = {"widget.js": {"RUECKENBOT_PLAIN_SECTIONS": plain_sections()}, "demo.js": {}}
    out.mkdir(parents=True, exist_ok=True)
    vendor = "".join(
        line
        for line in vendor_file.read_text(encoding="utf-8").splitlines(keepends=True)
        if "sourceMappingURL=" not in line
    )
    for name, bundle in SCRIPTS.items():
        body = wrap(scripts[name], texts_for(data, scripts[name]), extras[name])
        content = (vendor.rstrip("\n") + "\n" + body) if name == "widget.js" else body
        _write(out / bundle, content)
    for name, target in STYLES.items():
        _write(out / target, (SOURCES / name).read_text(encoding="utf-8"))


def _shown(path: Path) -> str:
    """A path as an editor finds it: relative to the project where it lies inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _write(path: Path, content: str) -> None:
    """Write via a temporary file, so a server never serves half a bundle."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(content, encoding="utf-8")
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=Path, default=TEXTS_FILE, help="the interface texts (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=WEB / "dist", help="where the bundle goes (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        build(args.texts, args.out)
    except BuildError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"Chat widget built into {args.out} (texts from {_shown(args.texts)}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())

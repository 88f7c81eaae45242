"""tools/build_widget.py: the widget's texts go from interface_texts.yml into the bundle, checked first.

Builds into a temporary folder with a stand-in for socket.io-client, so it needs neither npm nor a
browser and runs with the unit tests. The browser suite (test_widget.py) shows the same texts on
the page.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tools.build_widget import TEXTS_FILE, BuildError, build, main

VENDOR = "/* socket.io stand-in */ window.io = function () {};\n//# sourceMappingURL=socket.io.min.js.map\n"
_DEFINITION = re.compile(r"^var RUECKENBOT_TEXTS = (.*);$", re.MULTILINE)


@pytest.fixture
def vendor(tmp_path: Path) -> Path:
    path = tmp_path / "socket.io.min.js"
    path.write_text(VENDOR, encoding="utf-8")
    return path


@pytest.fixture
def texts_copy(tmp_path: Path) -> Path:
    """A copy of interface_texts.yml that a test may change."""
    target = tmp_path / "copy" / "interface_texts.yml"
    target.parent.mkdir()
    shutil.copyfile(TEXTS_FILE, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def bundled(path: Path) -> dict[str, Any]:
    [definition] = _DEFINITION.findall(path.read_text(encoding="utf-8"))
    return json.loads(definition)


def yaml_texts(path: Path = TEXTS_FILE) -> dict[str, Any]:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_the_bundle_holds_exactly_the_widget_texts_of_interface_texts_yml(tmp_path: Path, vendor: Path) -> None:
    build(TEXTS_FILE, tmp_path / "dist", vendor)
    data = yaml_texts()
    widget = {k: v for k, v in data["widget"].items() if k != "demo_page"}
    texts = bundled(tmp_path / "dist" / "rueckenbot.js")
    assert texts["widget"] == widget
    # the source is worded like the bot's own source line: the same few `answer:` texts
    assert texts["answer"] == {
        k: data["answer"][k] for k in ("and", "heading", "references", "section_many", "section_one")
    }
    assert bundled(tmp_path / "dist" / "demo.js") == {"widget": {"demo_page": data["widget"]["demo_page"]}}


def test_the_bundle_is_socket_io_then_the_widget_without_a_source_map_link(tmp_path: Path, vendor: Path) -> None:
    build(TEXTS_FILE, tmp_path / "dist", vendor)
    bundle = (tmp_path / "dist" / "rueckenbot.js").read_text(encoding="utf-8")
    assert bundle.startswith("/* socket.io stand-in */") and "sourceMappingURL" not in bundle
    assert "var RUECKENBOT_PLAIN_SECTIONS = [" in bundle and "Anfang der Seite" in bundle
    assert bundle.rstrip().endswith("})();")
    for name in ("rueckenbot.css", "demo.css", "demo.js"):
        assert (tmp_path / "dist" / name).stat().st_size > 0


def test_an_editors_change_reaches_the_bundle(tmp_path: Path, vendor: Path, texts_copy: Path) -> None:
    edit(texts_copy, 'send: "Senden"', 'send: "Frage abschicken"')
    edit(texts_copy, 'question: "Hilfreich?"', 'question: "War das hilfreich?"')
    build(texts_copy, tmp_path / "dist", vendor)
    widget = bundled(tmp_path / "dist" / "rueckenbot.js")["widget"]
    assert widget["send"] == "Frage abschicken"
    assert widget["feedback"]["question"] == "War das hilfreich?"


def test_a_missing_text_stops_the_build_with_file_line_and_key(tmp_path: Path, vendor: Path, texts_copy: Path) -> None:
    edit(texts_copy, '  send: "Senden"\n', "")
    with pytest.raises(BuildError) as error:
        build(texts_copy, tmp_path / "dist", vendor)
    assert str(error.value).startswith(f"{texts_copy}:{line_of(texts_copy, 'widget:')}: ")
    assert "'widget.send' fehlt" in str(error.value)
    assert not (tmp_path / "dist").exists()  # nothing half-built


def test_an_unknown_placeholder_is_named_with_the_ones_allowed(tmp_path: Path, vendor: Path, texts_copy: Path) -> None:
    edit(texts_copy, '"Noch {count} Zeichen möglich."', '"Noch {anzahl} Zeichen möglich."')
    with pytest.raises(BuildError) as error:
        build(texts_copy, tmp_path / "dist", vendor)
    line = line_of(texts_copy, "{anzahl}")
    assert str(error.value) == (
        f"{texts_copy}:{line}: 'widget.remaining' enthält {{anzahl}}, das das Chat-Fenster nicht ausfüllen kann. "
        "Erlaubte Platzhalter: {count}."
    )


def test_a_lone_brace_and_an_unused_or_misspelt_key_are_found(tmp_path: Path, vendor: Path, texts_copy: Path) -> None:
    edit(texts_copy, 'typing: "Rückenbot schreibt …"', 'typing: "Rückenbot schreibt { …"')
    edit(texts_copy, "  restart:", "  restrat:")
    with pytest.raises(BuildError) as error:
        build(texts_copy, tmp_path / "dist", vendor)
    problems = str(error.value).splitlines()
    assert f"{texts_copy}:{line_of(texts_copy, 'schreibt {')}: In 'widget.typing' steht eine einzelne" in problems[-2]
    assert any("'widget.restart' fehlt" in p for p in problems)
    assert problems[-1].startswith(f"{texts_copy}:{line_of(texts_copy, 'restrat:')}: ")
    assert "verwendet den Text 'widget.restrat' nicht" in problems[-1]


def test_broken_yaml_is_reported_with_its_line_and_exit_code_1(
    tmp_path: Path, texts_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(texts_copy, 'send: "Senden"', 'send: "Senden')
    assert main(["--texts", str(texts_copy), "--out", str(tmp_path / "dist")]) == 1
    message = capsys.readouterr().err
    assert re.match(rf"{re.escape(str(texts_copy))}:\d+: Die Datei ist kein gültiges YAML", message), message

"""`make source-diff NEW=…` (tools/source_diff.py): which quotes and headings a new version of the page lost.

Each test writes a version of the real page (knowledge/source/) to a temporary file, changes one
thing and compares the tool's lines with positions read from the real YAML files, so the tests
keep working as the claims grow.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.content.knowledge import load_knowledge
from tests.fixtures.project import claim_line, copy_project, line_of, standalone_make_env
from tools import source_diff
from tools.check import check

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "knowledge" / "source" / "iqwig-passive-behandlungen.txt"
SOURCES = ROOT / "knowledge" / "sources.yml"
AKUPUNKTUR = ROOT / "knowledge" / "claims" / "akupunktur.yml"

OLD_SENTENCE = "Das Risiko für ernsthafte Nebenwirkungen ist gering."
NEW_SENTENCE = "Das Risiko für ernste Nebenwirkungen gilt als gering."


@pytest.fixture(scope="module")
def totals() -> tuple[int, int]:
    """(quotes, headings) in the fact store, counted independently of the tool."""
    kb = load_knowledge(ROOT / "knowledge")
    quotes = sum(1 for claim in kb.claims.values() for quote in claim.quotes if quote.strip())
    headings = sum(1 for section in kb.sections.values() if section.heading)
    return quotes, headings


def page(text: str | None = None) -> str:
    return PAGE.read_text(encoding="utf-8") if text is None else text


def changed(old: str, new: str) -> str:
    text = page()
    assert text.count(old) == 1, f"{old!r} must stand once on the page"
    return text.replace(old, new)


def run(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str | bytes, *, root: Path = ROOT):
    """(exit code, stdout lines, stderr) of the tool on `text` written to a file."""
    new = tmp_path / "neue-seite.txt"
    if isinstance(text, bytes):
        new.write_bytes(text)
    else:
        new.write_text(text, encoding="utf-8")
    code = source_diff.main([str(new), "--root", str(root)])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


# -- nothing changed --------------------------------------------------------------------------
def test_the_current_page_changes_nothing(tmp_path: Path, capsys, totals) -> None:
    quotes, headings = totals
    code, out, err = run(tmp_path, capsys, page())
    assert out == [
        f"Alle {quotes} Zitate stehen unverändert auf der neuen Seite.",
        f"Alle {headings} Überschriften stehen unverändert auf der neuen Seite.",
    ]
    assert (code, err) == (0, "")
    assert quotes > 50 and headings >= 8  # the store was really read


def test_line_breaks_spaces_bom_and_crlf_do_not_count(tmp_path: Path, capsys, totals) -> None:
    """The rule of `make check`: whitespace is folded, so a page wrapped differently is the same page."""
    wrapped = "\n\n".join(
        textwrap.fill(paragraph, width=37, break_on_hyphens=False, break_long_words=False).replace(" ", "  ")
        for paragraph in page().split("\n\n")
    )
    assert wrapped.count("\n") > 2 * page().count("\n")  # really rewrapped
    encoded = ("\ufeff" + wrapped.replace("\n", "\r\n")).encode("utf-8")
    code, out, _ = run(tmp_path, capsys, encoded)
    assert (code, out[0]) == (0, f"Alle {totals[0]} Zitate stehen unverändert auf der neuen Seite.")


# -- a quote is gone ----------------------------------------------------------------------------
def test_an_altered_sentence_reports_exactly_its_claim(tmp_path: Path, capsys, totals) -> None:
    quotes, headings = totals
    code, out, _ = run(tmp_path, capsys, changed(OLD_SENTENCE, NEW_SENTENCE))
    line = claim_line(AKUPUNKTUR, "risiko_gering", "quote")
    assert code == 1
    reported = [entry for entry in out if ": Aussage " in entry]
    assert len(reported) == 1
    assert reported[0].startswith(
        f"knowledge/claims/akupunktur.yml:{line}: Aussage akupunktur.risiko_gering: das Zitat „{OLD_SENTENCE}“ "
        f"steht so nicht mehr auf der neuen Seite. So beheben Sie es: "
    )
    # the editor sees which answer to re-read and what the page says now
    assert "Akupunktur – Nebenwirkungen" in reported[0]
    assert reported[0].endswith(f"Auf der neuen Seite steht an dieser Stelle wohl: „{NEW_SENTENCE}“")
    assert f"{quotes - 1} von {quotes} Zitaten stehen unverändert auf der neuen Seite." in out
    assert f"Alle {headings} Überschriften stehen unverändert auf der neuen Seite." in out


def test_one_quote_of_a_list_is_reported_at_its_own_line(tmp_path: Path, capsys) -> None:
    """`akupunktur.kurzfristig` has two quotes: the lost one is named at its line in the list."""
    code, out, _ = run(tmp_path, capsys, changed("kaum besser als eine Schein-Akupunktur", "kaum besser als Schein"))
    line = line_of(AKUPUNKTUR, '- "kaum besser als eine Schein-Akupunktur')
    assert code == 1
    assert [entry.split(" das Zitat ")[0] for entry in out if ": Aussage " in entry] == [
        f"knowledge/claims/akupunktur.yml:{line}: Aussage akupunktur.kurzfristig:"
    ]


def test_a_quote_shared_by_two_claims_reports_both(tmp_path: Path, capsys) -> None:
    """The page's first sentence backs a claim about Akupunktur and a general one: both answers change."""
    old = "können chronische Rückenschmerzen allenfalls kurzfristig lindern"
    code, out, _ = run(tmp_path, capsys, changed(old, "können chronische Rückenschmerzen höchstens kurz lindern"))
    kb = load_knowledge(ROOT / "knowledge")
    expected = sorted(claim.id for claim in kb.claims.values() if old in claim.quotes)
    assert len(expected) >= 2
    assert sorted(entry.split("Aussage ")[1].split(":")[0] for entry in out if ": Aussage " in entry) == expected
    assert code == 1


def test_positions_are_those_make_check_reports(tmp_path: Path, capsys) -> None:
    """Once the new page is in place, `make check` names the same Datei:Zeile for every lost quote."""
    text = changed(OLD_SENTENCE, NEW_SENTENCE)
    text = text.replace("kaum besser als eine Schein-Akupunktur", "kaum besser als Schein", 1)
    text = text.replace("allenfalls kurzfristig lindern", "höchstens kurzfristig lindern", 1)
    _, out, _ = run(tmp_path, capsys, text)
    ours = sorted(entry.split(": Aussage ")[0] for entry in out if ": Aussage " in entry)
    project = copy_project(tmp_path / "project")
    (project / "knowledge" / "source" / PAGE.name).write_text(text, encoding="utf-8")
    theirs = sorted(
        entry.split(": Die Aussage ")[0]
        for entry in check(project, stages={"knowledge", "content"})
        if "steht so nicht auf der Seite" in entry
    )
    assert len(ours) >= 4 and any(where.startswith("knowledge/general.yml:") for where in ours)
    assert ours == theirs


# -- a heading is gone --------------------------------------------------------------------------
def test_a_removed_heading_is_reported(tmp_path: Path, capsys, totals) -> None:
    quotes, headings = totals
    code, out, _ = run(tmp_path, capsys, changed("\nElektrotherapie\n\n", "\n"))
    line = line_of(SOURCES, 'label: "Elektrotherapie"')
    assert code == 1
    assert [entry for entry in out if entry.startswith("knowledge/")] == [
        f"knowledge/sources.yml:{line}: Abschnitt elektrotherapie: die Überschrift „Elektrotherapie“ steht nicht "
        f"mehr auf der neuen Seite. So beheben Sie es: suchen Sie den Abschnitt auf der neuen Seite und tragen Sie "
        f"seine Überschrift genau bei 'label:' ein; gibt es ihn nicht mehr, prüfen Sie die "
        f"{sum(1 for c in load_knowledge(ROOT / 'knowledge').claims.values() if c.section == 'elektrotherapie')} "
        f"Aussagen mit 'section: elektrotherapie'"
    ]
    assert f"Alle {quotes} Zitate stehen unverändert auf der neuen Seite." in out
    assert f"{headings - 1} von {headings} Überschriften stehen unverändert auf der neuen Seite." in out


def test_a_renamed_heading_names_the_new_one(tmp_path: Path, capsys) -> None:
    code, out, _ = run(tmp_path, capsys, changed("\nMassagen\n", "\nMassagen und Akupressur\n"))
    assert code == 1
    (entry,) = [entry for entry in out if entry.startswith("knowledge/sources.yml:")]
    assert "Abschnitt massagen: die Überschrift „Massagen“ steht nicht mehr auf der neuen Seite." in entry
    assert "(heißt er jetzt „Massagen und Akupressur“?)" in entry


def test_a_heading_inside_a_sentence_does_not_count(tmp_path: Path, capsys) -> None:
    """ "Osteopathie" stays in many sentences; only a line of its own is the heading."""
    code, out, _ = run(tmp_path, capsys, changed("\nOsteopathie\n\n", "\n"))
    assert code == 1
    assert any("Abschnitt osteopathie:" in entry for entry in out)


# -- the new text cannot be used -------------------------------------------------------------------
def test_a_missing_file_exits_2_with_a_german_message(tmp_path: Path) -> None:
    missing = tmp_path / "gibt-es-nicht.txt"
    result = subprocess.run(
        [sys.executable, "-m", "tools.source_diff", str(missing)], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.strip() == f"Die Datei „{missing}“ gibt es nicht. Prüfen Sie den Pfad hinter NEW=."
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00R\x00\xfc", "ist nicht als UTF-8 gespeichert"),
        (b"  \n\n", "ist leer"),
    ],
)
def test_an_unreadable_file_exits_2(tmp_path: Path, capsys, content: bytes, message: str) -> None:
    code, out, err = run(tmp_path, capsys, content)
    assert (code, out) == (2, [])
    assert message in err


def test_a_folder_or_no_file_exits_2(tmp_path: Path, capsys) -> None:
    assert source_diff.main([str(tmp_path)]) == 2
    assert "ist ein Ordner, keine Datei" in capsys.readouterr().err
    assert source_diff.main([]) == 2
    assert "make source-diff NEW=pfad/zur/seite.txt" in capsys.readouterr().err


def test_a_broken_fact_store_exits_2(tmp_path: Path, capsys) -> None:
    project = copy_project(tmp_path / "project")
    claims = project / "knowledge" / "claims" / "akupunktur.yml"
    claims.write_text(claims.read_text(encoding="utf-8").replace("claims:\n", "claims: [\n", 1), encoding="utf-8")
    code, out, err = run(tmp_path, capsys, page(), root=project)
    assert (code, out) == (2, [])
    assert err.startswith("Der Faktenspeicher (knowledge/) hat Fehler, darum kann nichts verglichen werden:\n")
    assert "knowledge/claims/akupunktur.yml:" in err
    assert err.rstrip().endswith("dann rufen Sie make source-diff noch einmal auf.")


def test_a_wrong_file_is_named_as_such(tmp_path: Path, capsys, totals) -> None:
    code, out, _ = run(tmp_path, capsys, "Eine ganz andere Seite über Kopfschmerzen.\n")
    assert code == 1
    assert f"0 von {totals[0]} Zitaten stehen unverändert auf der neuen Seite." in out
    assert any(entry.startswith(f"Hinweis: Keines der {totals[0]} Zitate steht in") for entry in out)


def test_soft_hyphens_are_pointed_out(tmp_path: Path, capsys) -> None:
    code, out, _ = run(tmp_path, capsys, changed("Um Infektionen", "Um Infek\u00adtionen"))
    assert code == 1
    assert any("Aussage akupunktur.sterile_nadeln:" in entry for entry in out)
    assert any(
        entry.startswith("Hinweis: Die neue Fassung enthält unsichtbare Zeichen (weiche Trennstriche)") for entry in out
    )


# -- make source-diff ---------------------------------------------------------------------------
def test_the_make_target_runs_the_tool() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    phony = next(line for line in makefile.splitlines() if line.startswith(".PHONY:"))
    assert "source-diff" in phony.split()
    assert "\nsource-diff: setup  ## " in makefile
    result = subprocess.run(
        ["make", "-n", "source-diff", "NEW=neu.txt"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=standalone_make_env(),
    )
    assert '-m tools.source_diff "neu.txt"' in result.stdout


def test_the_guide_shows_what_the_tool_prints(tmp_path: Path, capsys) -> None:
    """docs/EDITING.md, "Wenn IQWiG die Seite erneuert": its example is the tool's real output
    (line numbers and counts aside, which move as the claims grow)."""
    guide = (ROOT / "docs" / "EDITING.md").read_text(encoding="utf-8")
    section = guide.split("### Wenn IQWiG die Seite erneuert")[1].split("\n### ")[0]
    example = section.split("Dann meldet der Befehl:\n")[1].split("```")[1]
    shown = [line.strip() for line in example.splitlines() if line.strip()]
    text = changed(OLD_SENTENCE, "Das Risiko für ernsthafte Nebenwirkungen ist sehr gering.")
    text = text.replace("\nMassagen\n", "\nMassagen und Akupressur\n", 1)
    _, out, _ = run(tmp_path, capsys, text)
    printed = [line for line in out if line]

    def numbers_aside(lines: list[str]) -> list[str]:
        return [re.sub(r"\d+", "N", line) for line in lines]

    assert numbers_aside(shown) == numbers_aside(printed)

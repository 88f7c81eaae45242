"""`make review`: the review report; `make review-apply`: marked messages become training examples.

python -m tools.review [--since 7d|7|all] [--out reports]
python -m tools.review apply [--file reports/review.yml] [--data data]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
import warnings
from pathlib import Path

# Rasa 3.6 pins SQLAlchemy 1.4, which warns about 2.0 on import; nothing for an editor to act on
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
warnings.filterwarnings("ignore", category=DeprecationWarning)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SINCE = "7d"


def parse_since(value: str | None) -> float | None:
    """Days as a number: "7", "7d", "2w" (weeks), "all"/"" (everything) → None."""
    from tools.review.analysis import texts

    raw = (value or "").strip().lower()
    if raw in ("", "all", "alle", "alles"):
        return None
    match = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*(d|t|tage?|days?|w|wochen?|weeks?)?", raw)
    if not match:
        raise ValueError(texts()["errors"]["since"].format(value=value))
    days = float(match.group(1).replace(",", "."))
    if (match.group(2) or "d")[0] == "w":
        days *= 7
    return days


def report(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.review", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--since", default=DEFAULT_SINCE, help="the last N days (7, 7d, 2w) or all; default 7d")
    parser.add_argument("--out", type=Path, default=ROOT / "reports", help="folder for review.html and review.yml")
    args = parser.parse_args(argv)
    try:
        days = parse_since(args.since)
    except ValueError as error:
        print(f"Fehler: {error}", file=sys.stderr)
        return 2

    from tools.retention import retention_days
    from tools.review import analysis, conversations, render
    from tools.review.apply import known_intents, known_therapies
    from tools.review.pseudonymise import pseudonymise

    started = time.perf_counter()
    try:
        retention = retention_days()
    except ValueError as error:
        print(f"Fehler: {error}", file=sys.stderr)
        return 2
    now = time.time()
    since = None if days is None else now - days * 86400
    url = conversations.database_url()
    try:
        # all stored events (at most the retention period) for the weekly figures; the lists use `since`
        events, oldest = conversations.read_events(url)
    except conversations.StoreError as error:
        print(f"Fehler: {error}", file=sys.stderr)
        return 1
    turns = list(conversations.turns(events))
    del events  # sender ids go no further
    review = analysis.build(turns, since=since, oldest=oldest, retention_days=retention, pseudonymise=pseudonymise)
    html_path, yml_path = render.write(review, args.out, known_intents(), known_therapies())
    seconds = time.perf_counter() - started
    shown = sum(item.count for item in review.items)
    print(
        f"{html_path.relative_to(ROOT) if html_path.is_relative_to(ROOT) else html_path} und "
        f"{yml_path.relative_to(ROOT) if yml_path.is_relative_to(ROOT) else yml_path} geschrieben: "
        f"{len(review.items)} Einträge ({shown} Nachrichten) aus {review.conversations} Gesprächen, "
        f"{len(turns)} Nachrichten gelesen, in {seconds:.1f} s."
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "apply":
        from tools.review.apply import main as apply_main

        return apply_main(argv[1:])
    return report(argv)


if __name__ == "__main__":
    sys.exit(main())

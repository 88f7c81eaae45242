"""Delete conversations older than the retention period from the tracker store (`make forget-old`).

Conversations hold health data, so they are kept no longer than `RUECKENBOT_RETENTION_DAYS`
days (default 30). This deletes every stored event older than that, by the events' own
timestamps, from the database that `endpoints.yml` uses (the same environment variables:
SQLite by default, PostgreSQL when configured; see bot/server/stores.py). Sessions expire after 60
idle minutes (domain.yml), so old sessions go as a whole; a conversation still going on
keeps its current session. Running Rasa instances are told (Redis pub/sub, when
RUECKENBOT_REDIS_URL is set) to forget what they keep of those conversations in memory for
database outages. Run it daily (cron, a systemd timer, or a Kubernetes CronJob):

    python -m tools.retention            # delete what is older than RUECKENBOT_RETENTION_DAYS
    python -m tools.retention --days 7 --dry-run
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from dataclasses import dataclass

from rasa.core.tracker_store import SQLTrackerStore

DEFAULT_RETENTION_DAYS = 30.0


@dataclass(frozen=True)
class Deleted:
    events: int
    conversations: int  # senders that had events older than the cut-off
    cutoff: float


def retention_days(environ: dict[str, str] | None = None) -> float:
    raw = (os.environ if environ is None else environ).get("RUECKENBOT_RETENTION_DAYS", "").strip()
    if not raw:
        return DEFAULT_RETENTION_DAYS
    try:
        days = float(raw)
    except ValueError:
        raise ValueError(f"RUECKENBOT_RETENTION_DAYS must be a number of days, not {raw!r}") from None
    if days <= 0:
        raise ValueError(f"RUECKENBOT_RETENTION_DAYS must be more than 0, not {raw!r}")
    return days


def delete_older_than(store: SQLTrackerStore, days: float, now: float | None = None, dry_run: bool = False) -> Deleted:
    """Delete (or with `dry_run` only count) the events older than `days` days."""
    if days <= 0:
        raise ValueError("days must be more than 0")
    cutoff = (time.time() if now is None else now) - days * 86400
    event = store.SQLEvent
    with store.session_scope() as session:
        old = session.query(event).filter(event.timestamp < cutoff)
        conversations = old.with_entities(event.sender_id).distinct().count()
        if dry_run:
            return Deleted(old.count(), conversations, cutoff)
        removed = old.delete(synchronize_session=False)
        session.commit()
    return Deleted(removed, conversations, cutoff)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=float, help="retention in days (default: RUECKENBOT_RETENTION_DAYS or 30)")
    parser.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        days = args.days if args.days is not None else retention_days()
        if days <= 0:
            raise ValueError("--days must be more than 0")
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    from bot.server.stores import EnvSQLTrackerStore

    store = EnvSQLTrackerStore()
    result = delete_older_than(store, days, dry_run=args.dry_run)
    if not args.dry_run and result.events:
        store.forget_older_than(result.cutoff)  # every running instance forgets what it remembers of them
    store.engine.dispose()
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(result.cutoff))
    verb = "Would delete" if args.dry_run else "Deleted"
    print(
        f"{verb} {result.events} event(s) of {result.conversations} conversation(s) older than {days:g} days ({when})."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

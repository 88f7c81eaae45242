"""Channel settings from the environment, so that an unconfigured channel stays off.

Rasa expands an unquoted `${VAR}` in credentials.yml itself and refuses to start
when VAR is unset. The messenger channels therefore quote their values
(`"${TELEGRAM_ACCESS_TOKEN}"`), which Rasa passes on verbatim, and expand them
here: `${VAR}` becomes the variable's value or "" when unset, `${VAR:-default}`
the default when VAR is unset or empty.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from typing import Any

from rasa.shared.exceptions import RasaException

logger = logging.getLogger(__name__)

_VARIABLE = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}")


def expand(value: Any, environ: Mapping[str, str] | None = None) -> str:
    """`${VAR}` and `${VAR:-default}` in `value` replaced from the environment ("" when unset)."""
    environ = os.environ if environ is None else environ
    if value is None:
        return ""

    def substitute(match: re.Match[str]) -> str:
        return environ.get(match.group(1)) or (match.group(2) or "")

    return _VARIABLE.sub(substitute, str(value)).strip()


def channel_settings(
    channel: str, credentials: Mapping[str, Any] | None, required: tuple[str, ...]
) -> dict[str, str] | None:
    """The expanded settings, or None when none of the required ones is set (the channel stays off).

    Some but not all required settings set is a configuration mistake: raise, naming what is missing.
    """
    settings = {key: expand(value) for key, value in (credentials or {}).items()}
    missing = [key for key in required if not settings.get(key)]
    if len(missing) == len(required):
        logger.info("Channel '%s' is off: its settings in credentials.yml are not set.", channel)
        return None
    if missing:
        raw = {key: (credentials or {}).get(key) for key in missing}
        raise RasaException(
            f"Channel '{channel}' is half configured: set {', '.join(f'{k} ({v})' for k, v in raw.items())} "
            f"in credentials.yml / the environment, or unset the others to turn the channel off."
        )
    return settings

"""The project's `rasa` command: `python -m bot.server.rasa_cli <rasa arguments>`.

Applies bot.server.rasa_patches (and the log-privacy layer) and then runs Rasa's own command
line, unchanged. Every `rasa` command of the project goes through here: `make run` and
`make shell` (tools/run_servers.py), the Dockerfile and docker-compose.yml, the test stacks.
For the action server (`run actions`) only the log-privacy layer matters; its address comes
from SANIC_HOST (rasa-sdk reads it), which tools/run_servers.py sets from RASA_INTERFACE.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from bot.server import rasa_patches

    rasa_patches.apply()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *(sys.argv[1:] if argv is None else argv)]
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())

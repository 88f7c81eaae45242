"""`make preview`: try your changes in the terminal after a fast training.

Trains a preview model from the current files with fewer DIET epochs than `make train`
(PREVIEW_EPOCHS instead of the 60 in config.yml), into models/preview/ — the real model
(models/rueckenbot.tar.gz) is not touched — and starts the action server and `rasa shell`
against it, as `make shell` does. The answers come from knowledge/ as they are now (the action
server reads them at start), the understanding from the quick training: good enough to see a
new treatment, claim or example at work; `make train` and `make test` judge the real model.

Measured on 2 cores while other processes ran (load 4 to 6): 156 s and 212 s of training;
`make train` took 188 s at the same load (96 s on an idle machine). Most of the time goes to
featurizing the examples, which fewer epochs do not shorten.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
# the project's launcher: reading the data goes faster there (bot/server/rasa_patches.py, item 4)
RASA = [sys.executable, "-m", "bot.server.rasa_cli"]
PREVIEW_EPOCHS = 20
PREVIEW_DIR = ROOT / "models" / "preview"
PREVIEW_CONFIG = ROOT / "build" / "preview" / "config.yml"


def preview_config(source: Path = ROOT / "config.yml", epochs: int = PREVIEW_EPOCHS) -> Path:
    """config.yml with fewer epochs for every component that has them, written to build/preview/."""
    yaml = YAML(typ="rt")
    config = yaml.load(source.read_text(encoding="utf-8"))
    for component in config.get("pipeline") or []:
        if "epochs" in component:
            component["epochs"] = min(int(component["epochs"]), epochs)
    for policy in config.get("policies") or []:
        if "epochs" in policy:
            policy["epochs"] = min(int(policy["epochs"]), epochs)
    PREVIEW_CONFIG.parent.mkdir(parents=True, exist_ok=True)
    with PREVIEW_CONFIG.open("w", encoding="utf-8") as handle:
        handle.write("# Written by tools/preview.py from config.yml (fewer epochs); do not edit.\n")
        yaml.dump(config, handle)
    return PREVIEW_CONFIG


def full_epochs(source: Path = ROOT / "config.yml") -> int:
    """The most epochs a component of config.yml trains (what `make train` does)."""
    pipeline = YAML(typ="safe").load(source.read_text(encoding="utf-8")).get("pipeline") or []
    return max((int(c["epochs"]) for c in pipeline if "epochs" in c), default=0)


def train(epochs: int) -> Path:
    config = preview_config(epochs=epochs)
    command = [
        *RASA, "train", "--config", str(config.relative_to(ROOT)), "--domain", "domain.yml", "--data", "data",
        "--out", str(PREVIEW_DIR.relative_to(ROOT)), "--fixed-model-name", "preview", "--quiet",
        "--skip-validation",  # `make preview` runs `make check` first
    ]  # fmt: skip
    print(f"Vorschau: trainiere ein schnelles Modell ({epochs} Durchläufe statt {full_epochs()}) …", flush=True)
    started = time.monotonic()
    env = {**os.environ, "RASA_MAX_CACHE_SIZE": "0", "RASA_TELEMETRY_ENABLED": "false", "PYTHONWARNINGS": "ignore"}
    status = subprocess.call(command, cwd=ROOT, env=env)
    seconds = time.monotonic() - started
    if status != 0:
        print(f"Vorschau: Das Training ist nach {seconds:.0f} s abgebrochen (siehe Meldungen oben).", file=sys.stderr)
        raise SystemExit(1)
    print(f"Vorschau: trainiert in {seconds:.0f} s.", flush=True)
    return PREVIEW_DIR / "preview.tar.gz"


def main() -> int:
    parser = argparse.ArgumentParser(description="Schnell trainieren und im Terminal mit dem Bot schreiben.")
    parser.add_argument("--epochs", type=int, default=PREVIEW_EPOCHS)
    parser.add_argument("--nur-trainieren", action="store_true", help="nur trainieren, keinen Chat starten")
    args = parser.parse_args()
    model = train(args.epochs)
    if args.nur_trainieren:
        return 0
    print("Vorschau: Schreiben Sie dem Bot. Beenden mit /stop oder Strg-C.", flush=True)
    return subprocess.call([sys.executable, "-m", "tools.run_servers", "--model", str(model), "--shell"], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())

# Rückenbot: one image for both processes (the Rasa server and the action server; see
# docker-compose.yml). Built with the project's own Makefile targets. Linted with hadolint;
# never built here (no Docker engine on the development machines).

# --- the chat widget: npm packages from package-lock.json, bundled by `make web` ---
FROM node:20-bookworm-slim AS web
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends make && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY Makefile ./
COPY web/package.json web/package-lock.json web/
COPY web/src/ web/src/
RUN make web

# --- Python 3.10 (Rasa 3.6 needs it), the spaCy pipeline and the trained model ---
FROM python:3.10-slim-bookworm
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1001 rueckenbot
ENV RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    PYTHONWARNINGS=ignore::DeprecationWarning \
    PIP_NO_CACHE_DIR=1 \
    PYTHON_310=/usr/local/bin/python3.10
WORKDIR /app
# dependencies first, so that a change to the bot does not reinstall them
COPY pyproject.toml constraints.txt README.md Makefile ./
COPY bot/ bot/
COPY actions/ actions/
COPY components/ components/
RUN make setup
# then the bot itself, and training (`make train` skips it when models/ is up to date)
COPY . .
COPY --from=web /app/web/dist/ web/dist/
RUN make train && mkdir -p var && chown -R rueckenbot var
USER 1001
EXPOSE 5005 5055
# The Rasa server (as `make run` starts it, without --enable-api), through the project's launcher
# (bot/server/rasa_cli.py applies the Rasa patches and keeps personal data out of the logs). Inside a
# container it listens on every interface; only the proxy reaches it (docker-compose.yml). Needs
# RUECKENBOT_ID_SECRET (the same on every instance, docs/threat-model.md). The action server runs from
# the same image with: [".venv/bin/python", "-m", "bot.server.rasa_cli", "run", "actions", "--port", "5055", "--actions", "actions"]
CMD [".venv/bin/python", "-m", "bot.server.rasa_cli", "run", "--interface", "0.0.0.0", "--model", "models/rueckenbot.tar.gz", \
     "--port", "5005", "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"]

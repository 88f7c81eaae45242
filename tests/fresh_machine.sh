#!/usr/bin/env bash
# Checks the README's two commands the way a newcomer meets them (issue 10): a fresh clone in
# a temporary folder, then `make run` (until the bot answers its first REST question) and
# `make test`, each timed. Not part of `make test` (it runs `make test` itself).
#
#   tests/fresh_machine.sh [repository]      default: this checkout's committed HEAD
#
# Prints the time of each command and the bot's first answer; exits non-zero if either fails.
set -euo pipefail

repo=${1:-$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)}
work=$(mktemp -d -t rueckenbot-fresh-XXXXXX)
# make run gets its own process group: a background job of a script ignores SIGINT, so the
# Ctrl-C that stops it must reach its servers directly (the whole group)
trap 'kill -TERM -- "-${run_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000))
action_port=$((port + 1))

echo "Fresh clone of $repo into $work"
git clone --quiet "$repo" "$work/rueckenbot"
cd "$work/rueckenbot"

echo "== make run (until the first REST answer) =="
start=$(date +%s)
setsid env RASA_PORT=$port ACTION_PORT=$action_port make run > "$work/run.log" 2>&1 &
run_pid=$!
answer=""
for _ in $(seq 1 900); do
  if answer=$(curl -sf "localhost:$port/webhooks/rest/webhook" \
        -d '{"sender": "neu", "message": "Hilft Akupunktur?"}' 2>/dev/null) && [ -n "$answer" ] && [ "$answer" != "[]" ]; then
    break
  fi
  if ! kill -0 "$run_pid" 2>/dev/null; then
    tail -n 30 "$work/run.log"; echo "make run stopped before answering"; exit 1
  fi
  sleep 1
done
run_seconds=$(( $(date +%s) - start ))
echo "make run: first answer after ${run_seconds} s:"
python3 -c 'import json,sys; [print("  " + line) for m in json.loads(sys.argv[1]) for line in m.get("text","").splitlines()]' "$answer"
kill -INT -- "-$run_pid"  # as Ctrl-C would
for _ in $(seq 1 30); do kill -0 "$run_pid" 2>/dev/null || break; sleep 1; done
kill -TERM -- "-$run_pid" 2>/dev/null || true
wait "$run_pid" 2>/dev/null || true

echo "== make test =="
start=$(date +%s)
if make test > "$work/test.log" 2>&1; then status=0; else status=$?; fi
test_seconds=$(( $(date +%s) - start ))
tail -n 25 "$work/test.log"
echo "make test: exit $status after ${test_seconds} s ($((test_seconds / 60)) min $((test_seconds % 60)) s)"
exit "$status"

#!/usr/bin/env bash
# Finds or installs the Debian packages the test suites use (make system-deps).
#
#   tools/system-deps.sh [suite ...]     suites: browser production security web (default: all)
#
# As root, missing packages are installed with apt-get (one `apt-get update` first).
# Otherwise it stops with the one command that installs them. Nothing is skipped here:
# a suite the person does not want is left out with `make test SKIP=browser`.
set -euo pipefail

suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(browser production security web)

missing=()
need() {  # need PACKAGE TEST-COMMAND...
  local package=$1; shift
  if ! "$@" >/dev/null 2>&1; then missing+=("$package"); fi
}
has_initdb() { ls /usr/lib/postgresql/*/bin/initdb; }

for suite in "${suites[@]}"; do
  case $suite in
    browser)    need chromium command -v chromium
                need chromium-driver command -v chromedriver
                need nodejs command -v node
                need npm command -v npm ;;
    web)        need nodejs command -v node
                need npm command -v npm ;;
    production) need postgresql has_initdb
                need redis-server command -v redis-server ;;
    security)   need redis-server command -v redis-server ;;
    *)          echo "system-deps: unknown suite '$suite' (known: browser production security web)" >&2; exit 2 ;;
  esac
done

# one entry per package
mapfile -t missing < <(printf '%s\n' "${missing[@]+"${missing[@]}"}" | awk 'NF && !seen[$0]++')
if [ ${#missing[@]} -eq 0 ]; then
  echo "System packages: all there (${suites[*]})."
  exit 0
fi

command="apt-get update && apt-get install -y ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them with:  sudo sh -c '$command'" >&2
  echo "(or leave a suite out: make test SKIP=browser,production)" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]} (apt-get; log in ${TMPDIR:-/tmp}/rueckenbot-apt.log)"
log="${TMPDIR:-/tmp}/rueckenbot-apt.log"
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Use-Pty=0 "${missing[@]}"; } >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  echo "system-deps: apt-get failed (whole log: $log)" >&2
  exit 1
fi
echo "Installed: ${missing[*]}"

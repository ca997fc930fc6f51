#!/usr/bin/env bash
# Runs every test of the project. Installs what a fresh machine lacks
# (cargo-nextest), then runs the whole suite once, in one shared build.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo nextest --version >/dev/null 2>&1; then
  echo "installing cargo-nextest (not found)..." >&2
  cargo install --locked cargo-nextest
fi

# The event-schema test validates `cutover log --format json` with Python's jsonschema.
if ! python3 -c 'import jsonschema' 2>/dev/null; then
  echo "installing python jsonschema (not found)..." >&2
  python3 -m pip install --quiet jsonschema
fi

# The stakeholder outbox is delivered in its tests through a real SMTP server
# (aiosmtpd, STARTTLS and AUTH required) and a real HTTP receiver that checks
# Slack payloads with the Slack SDK's Block Kit models (tests/cli/data/).
if ! python3 -c 'import aiosmtpd, slack_sdk' >/dev/null 2>&1; then
  echo "installing aiosmtpd and slack_sdk (not found)..." >&2
  python3 -m pip install --quiet aiosmtpd slack_sdk || python3 -m pip install --quiet --break-system-packages aiosmtpd slack_sdk
fi

# The plan check (tests/data/plan_check.py) verifies generated plans with networkx.
if ! python3 -c 'import networkx' >/dev/null 2>&1; then
  echo "installing networkx (not found)..." >&2
  python3 -m pip install --quiet networkx || python3 -m pip install --quiet --break-system-packages networkx
fi

# The importer's edge test compares against an independent PyYAML parse.
if ! python3 -c 'import yaml' >/dev/null 2>&1; then
  echo "installing PyYAML for the import tests (not found)..." >&2
  python3 -m pip install --quiet pyyaml
fi

# The calendar test reads `cutover comms schedule --ics` with an independent
# parser, Python's icalendar (and its dateutil to expand recurrence rules).
if ! python3 -c 'import icalendar, dateutil' >/dev/null 2>&1; then
  echo "installing python icalendar (not found)..." >&2
  python3 -m pip install --quiet icalendar || python3 -m pip install --quiet --break-system-packages icalendar
fi

# Scaffolds are type-checked against the real Dagger SDKs (no engine needed):
# PyPI dagger-io with mypy --strict, npm @dagger.io/dagger with tsc --strict.
# Installed once into a cache outside the repository, reused by later runs.
SDK_CACHE="${CUTOVER_SDK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cutover-sdk}"
if ! "$SDK_CACHE/py/bin/python" -c 'import dagger, mypy' >/dev/null 2>&1; then
  echo "installing dagger-io and mypy into $SDK_CACHE/py (not found)..." >&2
  python3 -m venv "$SDK_CACHE/py"
  "$SDK_CACHE/py/bin/pip" install --quiet dagger-io==0.21.11 mypy==2.4.1
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "installing node and npm (not found)..." >&2
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi
if [ ! -d "$SDK_CACHE/ts/node_modules/@dagger.io/dagger" ] || [ ! -e "$SDK_CACHE/ts/node_modules/typescript/bin/tsc" ]; then
  echo "installing @dagger.io/dagger and typescript into $SDK_CACHE/ts (not found)..." >&2
  mkdir -p "$SDK_CACHE/ts"
  (cd "$SDK_CACHE/ts" && npm install --silent --no-audit --no-fund @dagger.io/dagger@0.21.9 typescript@7.0.2)
fi
export CUTOVER_SDK_PYTHON="$SDK_CACHE/py/bin/python"
export CUTOVER_SDK_NODE_MODULES="$SDK_CACHE/ts/node_modules"

# Scaffolds for the Dagger CLI 1.0 beta (`--dagger-cli 1.0-beta`) are checked
# against the beta SDK packages, in caches of their own.
if ! "$SDK_CACHE/py-beta/bin/python" -c 'import importlib.metadata as m, mypy; assert m.version("dagger-io") == "1.0.0b21"' >/dev/null 2>&1; then
  echo "installing dagger-io 1.0.0b21 and mypy into $SDK_CACHE/py-beta (not found)..." >&2
  python3 -m venv "$SDK_CACHE/py-beta"
  "$SDK_CACHE/py-beta/bin/pip" install --quiet dagger-io==1.0.0b21 mypy==2.4.1
fi
if ! grep -q '"version": "1.0.0-beta.14"' "$SDK_CACHE/ts-beta/node_modules/@dagger.io/dagger/package.json" 2>/dev/null || [ ! -e "$SDK_CACHE/ts-beta/node_modules/typescript/bin/tsc" ]; then
  echo "installing @dagger.io/dagger 1.0.0-beta.14 and typescript into $SDK_CACHE/ts-beta (not found)..." >&2
  mkdir -p "$SDK_CACHE/ts-beta"
  (cd "$SDK_CACHE/ts-beta" && npm install --silent --no-audit --no-fund @dagger.io/dagger@1.0.0-beta.14 typescript@7.0.2)
fi
export CUTOVER_SDK_BETA_PYTHON="$SDK_CACHE/py-beta/bin/python"
export CUTOVER_SDK_BETA_NODE_MODULES="$SDK_CACHE/ts-beta/node_modules"

# Justfiles are read with `just --dump` when `just` is installed: the tests
# run both that path and the parser. `just` comes from PyPI (`rust-just`, a
# wheel holding the binary) into a tool venv; it is not put on PATH.
if ! "$SDK_CACHE/tools/bin/just" --version 2>/dev/null | grep -qx 'just 1.59.0'; then
  echo "installing just 1.59.0 (rust-just) into $SDK_CACHE/tools (not found)..." >&2
  python3 -m venv "$SDK_CACHE/tools"
  "$SDK_CACHE/tools/bin/pip" install --quiet rust-just==1.59.0
fi
export CUTOVER_TEST_JUST="$SDK_CACHE/tools/bin/just"

# The dashboard's browser test drives Debian's chromium with playwright-core
# (no browser download), and the OFREP test evaluates flags through the
# OpenFeature SDK's OFREP provider (tests/cli/dashboard.rs). Same cache.
WEB_MODULES="$SDK_CACHE/web/node_modules"
if [ ! -d "$WEB_MODULES/playwright-core" ] || [ ! -d "$WEB_MODULES/@openfeature/ofrep-provider" ] || [ ! -d "$WEB_MODULES/@openfeature/server-sdk" ]; then
  echo "installing playwright-core and the OpenFeature OFREP provider into $SDK_CACHE/web (not found)..." >&2
  mkdir -p "$SDK_CACHE/web"
  (cd "$SDK_CACHE/web" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --silent --no-audit --no-fund \
    playwright-core@1.65.1 @openfeature/server-sdk@1.23.0 @openfeature/ofrep-provider@0.1.3)
fi
export CUTOVER_WEB_NODE_MODULES="$WEB_MODULES"

# The parity tests build a small C library two ways: with make and with CMake.
if ! command -v cmake >/dev/null 2>&1 || ! command -v make >/dev/null 2>&1 || ! command -v cc >/dev/null 2>&1; then
  echo "installing cmake, make and a C compiler (not found)..." >&2
  apt-get update -qq && apt-get install -y -qq cmake make gcc libc6-dev >/dev/null
fi

# The durability tests count a command's fsync calls with strace.
if ! command -v strace >/dev/null 2>&1; then
  echo "installing strace (not found)..." >&2
  apt-get update -qq && apt-get install -y -qq strace >/dev/null
fi

# The https:// store's tests make a throwaway CA and server certificate with openssl.
if ! command -v openssl >/dev/null 2>&1; then
  echo "installing openssl (not found)..." >&2
  apt-get update -qq && apt-get install -y -qq openssl >/dev/null
fi

# The PostgreSQL backend's tests need a real server: a throwaway cluster on
# 127.0.0.1 at a free port, in a temporary directory, stopped on exit. Tests
# create their own databases under CUTOVER_TEST_POSTGRES_URL and fail when
# it is missing.
# A URL given by the caller (a server of its own) is used as it is.
if [ -z "${CUTOVER_TEST_POSTGRES_URL:-}" ]; then
  pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
  if [ -z "$(pg_bin)" ]; then
    echo "installing postgresql (not found)..." >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  PG_BIN="$(pg_bin)"
  PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/cutover-pg.XXXXXX")"
  as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  [ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
  stop_pg() {
    [ -f "$PG_DIR/data/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" --pgdata="$PG_DIR/data" --mode=immediate --silent stop
    rm -rf "$PG_DIR"
  }
  trap stop_pg EXIT
  PG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  as_pg "$PG_BIN/initdb" --pgdata="$PG_DIR/data" --username=cutover --auth=trust --encoding=UTF8 >/dev/null
  as_pg "$PG_BIN/pg_ctl" --pgdata="$PG_DIR/data" --log="$PG_DIR/server.log" --wait --silent start \
    -o "-h 127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c max_connections=300"
  export CUTOVER_TEST_POSTGRES_URL="postgres://cutover@127.0.0.1:$PG_PORT/postgres"
fi

# The HTML plan and the dashboard are rendered in headless Chromium
# (tests/cli/browser.rs, tests/cli/dashboard.rs).
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium (not found)..." >&2
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi

# Property tests: a fixed number of cases keeps CI time predictable.
export PROPTEST_CASES="${PROPTEST_CASES:-256}"
# nextest does not run doc tests; run them first so the suite's summary closes the log.
cargo test --workspace --doc --quiet
cargo nextest run --workspace --all-targets --no-fail-fast

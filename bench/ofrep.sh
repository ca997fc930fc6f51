#!/usr/bin/env bash
# OFREP single-flag evaluation throughput and p99 latency of `cutover serve`
# on loopback, measured with wrk (installed from Debian when missing).
# Interleaved in the same run, REPEAT times each:
#   - OFREP: POST /ofrep/v1/evaluate/flags/dagger.api for a canary-30%
#     component, a viewer bearer token, a targeting key per request body;
#   - baseline: GET /v1/health (the same server, no token, one store call);
#   - floor: GET /assets/dashboard.css (the same server, static bytes).
# Release build; the checkout and store live on the repository's disk
# (target/), not tmpfs. Prints each repetition, then medians and ratios.
# Goal: >= 20,000 requests/s with p99 < 5 ms on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-1}"
REPEAT="${REPEAT:-3}"

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk (not found)..." >&2
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
cargo build --release --quiet -p cutover
BIN=target/release
WORK="$(mktemp -d -p target bench-ofrep.XXXXXX)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

cat > "$WORK/migration.yaml" <<'SPEC'
version: 1
migration: { name: bench, start: 2027-01-04 }
components:
  - id: api
    kind: service
    owner: web
    effort: 1d
    legacy: { run: 'echo legacy' }
    dagger: { run: 'echo dagger' }
SPEC
echo "api: canary 30" > "$WORK/migration.modes"
TOKEN="bench-viewer-token-0123456789"
printf 'viewer bench %s\n' "$TOKEN" > "$WORK/tokens"
"$BIN/cutover" serve --spec "$WORK/migration.yaml" --listen 127.0.0.1:0 --tokens "$WORK/tokens" 2> "$WORK/serve.log" &
SERVER_PID=$!
for _ in $(seq 100); do grep -q 'listening on' "$WORK/serve.log" && break; sleep 0.1; done
URL="$(grep -o 'http://[0-9.:]*' "$WORK/serve.log" | head -1)"
[ -n "$URL" ] || { cat "$WORK/serve.log" >&2; exit 3; }

# One body per request, with a changing targeting key, as services send them.
cat > "$WORK/ofrep.lua" <<LUA
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("POST", "/ofrep/v1/evaluate/flags/dagger.api",
    { ["Authorization"] = "Bearer $TOKEN", ["Content-Type"] = "application/json" },
    '{"context":{"targetingKey":"commit-' .. counter .. '"}}')
end
LUA
check="$(curl -s -X POST -H "Authorization: Bearer $TOKEN" "$URL/ofrep/v1/evaluate/flags/dagger.api" -d '{"context":{"targetingKey":"k"}}')"
case "$check" in *'"reason":"SPLIT"'*) ;; *) echo "unexpected OFREP answer: $check" >&2; exit 3 ;; esac

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "load: wrk $THREADS thread(s), $CONNECTIONS connections, $DURATION each, $REPEAT repetitions, server $URL"
: > "$WORK/results"
measure() { # name, wrk args...
  local name="$1"; shift
  local out
  out="$(wrk --latency -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" "$@")"
  local rate p99 errors
  rate="$(awk '/^Requests\/sec/ {print $2}' <<<"$out")"
  p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
  errors="$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')"
  echo "$name $rate $p99 $(cut -d' ' -f1 /proc/loadavg)" | tee -a "$WORK/results"
  [ -z "$errors" ] || echo "  $errors"
}
for i in $(seq "$REPEAT"); do
  measure ofrep -s "$WORK/ofrep.lua" "$URL"
  measure health "$URL/v1/health"
  measure static "$URL/assets/dashboard.css"
done
python3 - "$WORK/results" <<'PY'
import statistics, sys
def ms(text):
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)
rows = {}
for line in open(sys.argv[1]):
    name, rate, p99, load = line.split()
    rows.setdefault(name, []).append((float(rate), ms(p99), float(load)))
labels = {"ofrep": "OFREP single-flag evaluation", "health": "baseline: GET /v1/health", "static": "floor: GET /assets/dashboard.css"}
for name in ("ofrep", "health", "static"):
    rates = [r[0] for r in rows[name]]; p99 = [r[1] for r in rows[name]]; loads = [r[2] for r in rows[name]]
    print(f"{labels[name]}: median {statistics.median(rates):,.0f} requests/s (min {min(rates):,.0f}, max {max(rates):,.0f}); "
          f"p99 median {statistics.median(p99):.2f} ms (max {max(p99):.2f}); load average {min(loads):.1f}-{max(loads):.1f}")
median = lambda name: statistics.median(r[0] for r in rows[name])
print(f"OFREP / health throughput: {median('ofrep') / median('health'):.2f}; OFREP / static: {median('ofrep') / median('static'):.2f}")
print("goal: >= 20,000 requests/s with p99 < 5 ms on 2 cores")
PY

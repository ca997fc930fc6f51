#!/usr/bin/env bash
# The main job on the bundled example, end to end, in a scratch copy (the
# repository is never written to): validate the spec, write the phased plan,
# put the foundation phase into shadow, run its components through cutover
# as CI would, test them, evaluate their gates, advance the one whose gate
# passes, benchmark it, show the mode file and a fresh clone routing by it,
# drill and perform a rollback (its override reaching the clone through the
# shared store, then `cutover sync`), write the migration
# documents, and show the audit trail. Set DEMO_KEEP=DIR to keep the documents.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cargo build --release --quiet --bin cutover --manifest-path "$root/Cargo.toml"
cutover="$("$root/scripts/cutover-path.sh")"  # honours CARGO_TARGET_DIR
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$root/examples/platform/." "$work/"
cd "$work"
export CUTOVER_USER="${CUTOVER_USER:-demo}"

echo "== cutover check"
"$cutover" check
echo
echo "== cutover plan (tables; the Markdown and HTML documents go to plan.md / plan.html)"
"$cutover" plan
"$cutover" plan --out plan.md
"$cutover" plan --out plan.html
echo
echo "== cutover plan --what-if capacity=4 --what-if soak.shadow=3d (beside the baseline)"
"$cutover" plan --what-if capacity=4 --what-if soak.shadow=3d | tail -5
echo
echo "== cutover audit (legacy features against Dagger capabilities)"
"$cutover" audit | head -8
echo
echo "== cutover advance 1 --to shadow (the foundation phase)"
"$cutover" advance 1 --to shadow --reason "foundation enters shadow"
echo
echo "== cutover run: 20 CI runs of dagger-engine, 3 of the rest of the foundation (output hidden)"
for _ in $(seq 20); do "$cutover" run dagger-engine >/dev/null 2>&1; done
for component in ci-integration observability token-management; do
  for _ in 1 2 3; do "$cutover" run "$component" >/dev/null 2>&1; done
done
echo
echo "== cutover status"
"$cutover" status | head -8
echo
echo "== cutover test 1 (acceptance and integration tests of the foundation phase, both sides)"
"$cutover" test 1 --junit junit.xml
echo
echo "== cutover gate dagger-engine (enough evidence) and ci-integration (not yet)"
"$cutover" gate dagger-engine || true
"$cutover" gate ci-integration || true
echo
echo "== cutover advance dagger-engine (its gate passes)"
"$cutover" advance dagger-engine --to canary --percent 25 --reason "gate passed"
echo
echo "== cutover bench dagger-engine --runs 10"
"$cutover" bench dagger-engine --runs 10 --out bench | sed -n '5,12p'
echo
echo "== cutover rollback 1 --drill (rehearsal on a copy; live state untouched)"
"$cutover" rollback 1 --drill
echo
echo "== the mode file advance wrote (commit it), and a fresh clone (no .cutover/) that routes by it"
grep -v '^#' migration.modes | head -3
clone="$(mktemp -d)"
trap 'rm -rf "$work" "$clone"' EXIT
tar -C "$work" --exclude=./.cutover -cf - . | tar -C "$clone" -xf -
(cd "$clone" && "$cutover" run dagger-engine >/dev/null 2>&1 || true
 "$cutover" status --format json | python3 -c 'import json, sys
c = [c for c in json.load(sys.stdin)["components"] if c["id"] == "dagger-engine"][0]
print("clone: dagger-engine is in", c["mode"], c["canary_percent"], "from the", c["mode_source"])')
echo
echo "== config change, then cutover rollback dagger-engine (refused: the edit would be lost; then --overwrite)"
echo "  runner: dagger" >> config/orchestrator.yaml
"$cutover" rollback dagger-engine --reason "demo: back to shadow" 2>&1 | sed 's/^/  /' || true
"$cutover" rollback dagger-engine --reason "demo: back to shadow" --overwrite
echo "config/orchestrator.yaml after the rollback:"; sed 's/^/  /' config/orchestrator.yaml
echo
echo "== the rollback set an override: the clone, sharing the store, obeys it before any commit"
(cd "$clone" && "$cutover" --state "$work/.cutover/state.db" status | grep -A2 "^overrides not in" || true
 "$cutover" --state "$work/.cutover/state.db" sync)
echo
echo "== a deploy in shadow: release-pipeline (side_effects: true) deploys once per run; both sides' dry runs (legacy.shadow_run, dagger.shadow_run) run beside it and are compared"
"$cutover" advance release-pipeline --to shadow --reason "deploy shadowed ahead of its phase"
for _ in $(seq 5); do "$cutover" run release-pipeline >/dev/null 2>&1; done
"$cutover" runs release-pipeline | sed -n '1,3p;$p'
echo "deploys performed: $(wc -l < deploys.log) for 5 runs (no normalize rule for the deploy message)"
"$cutover" status --format json | python3 -c 'import json, sys
c = [c for c in json.load(sys.stdin)["components"] if c["id"] == "release-pipeline"][0]
compared = ", ".join(f"{k} {v}" for k, v in c["runs"]["compared_by"].items() if v)
print("release-pipeline parity in shadow:", c["parity"], "comparing", compared, "(legacy runs:", c["runs"]["legacy"], "- the dry runs are not counted)")'
echo
echo "== the team case: a local cutover serve, two runner clones reporting to it, a gate that sees both"
printf 'operator lead %s\nrunner ci %s\nviewer board %s\n' \
  "op-demo-0123456789ab" "ci-demo-0123456789ab" "vw-demo-0123456789ab" > "$work/tokens"
mkdir -p "$work/server"
"$cutover" serve --listen 127.0.0.1:0 --tokens "$work/tokens" --state "$work/server/state.db" \
  2> "$work/server/log" &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; rm -rf "$work" "$clone" "${runners[@]:-}"' EXIT
for _ in $(seq 100); do grep -q "http://" "$work/server/log" 2>/dev/null && break; sleep 0.1; done
url="$(grep -o 'http://[^ ]*' "$work/server/log" | head -1)"
echo "server: $url (tokens from a file, never from the spec)"
runners=()
for n in 1 2; do
  runner="$(mktemp -d)"; runners+=("$runner")
  tar -C "$work" --exclude=./.cutover --exclude=./server --exclude=./tokens -cf - . | tar -C "$runner" -xf -
  for _ in 1 2 3; do
    (cd "$runner" && CUTOVER_STATE="$url" CUTOVER_TOKEN="ci-demo-0123456789ab" "$cutover" run observability >/dev/null 2>&1 || true)
  done
  echo "runner $n: 3 runs of observability (in $(grep '^observability' migration.modes | cut -d' ' -f2-) by the committed mode file)"
done
# A viewer's token (a manager's): the verdict is shown, nothing is written.
gate_json="$(CUTOVER_STATE="$url" CUTOVER_TOKEN="vw-demo-0123456789ab" "$cutover" gate observability --format json 2>/dev/null || true)"
python3 -c 'import json, sys
report = json.loads(sys.argv[1])
print("gate from the lead, through the server:", report["verdict"], "on", report["criteria"][0].get("runs"), "runs from both runners")' "$gate_json"
# The same server shows the dashboard at $url/ and answers OFREP flags for services.
python3 - "$url" <<'PY'
import json, sys, urllib.request
url = sys.argv[1]
request = urllib.request.Request(f"{url}/ofrep/v1/evaluate/flags/dagger.observability",
    data=json.dumps({"context": {"targetingKey": "demo-sha"}}).encode(),
    headers={"Authorization": "Bearer vw-demo-0123456789ab", "Content-Type": "application/json"})
answer = json.load(urllib.request.urlopen(request, timeout=5))
print(f"dashboard: {url}/ (sign in with a token); OFREP flag {answer['key']} for key demo-sha:",
      answer["value"], answer["reason"], answer["metadata"]["mode"])
PY
kill "$server_pid"
echo
echo "== cutover docs (every document as Markdown and as a self-contained HTML page; times in Europe/Berlin)"
"$cutover" docs --out docs
echo "the latest benchmark in success-criteria.md:"
grep -A6 '^## Benchmark results' docs/success-criteria.md | tail -1 | cut -c1-200
echo
echo "== cutover gc --dry-run (what retention would free)"
"$cutover" gc --dry-run
echo
echo "== cutover log"
"$cutover" log
if [[ -n "${DEMO_KEEP:-}" ]]; then
  mkdir -p "$DEMO_KEEP" && cp -r plan.md plan.html docs bench junit.xml "$DEMO_KEEP/" && echo "documents copied to $DEMO_KEEP"
fi

#!/usr/bin/env bash
# The main job on the bundled example, end to end, in a scratch copy (the
# repository is never written to): validate the spec, write the phased plan,
# put the foundation phase into shadow, run its components through cutover
# as CI would, test them, evaluate their gates, advance the one whose gate
# passes, benchmark it, show the mode file and a fresh clone routing by it,
# drill and perform a rollback (its override reaching the clone through the
# shared store, then `cutover sync`), tell the stakeholders (the outbox every
# change filled, the plan announced, training invitations, delivery to file
# inboxes and a signed webhook, an escalation sweep, the calendar), write the
# migration documents, and show the audit trail. Set DEMO_KEEP=DIR to keep the
# documents.
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
echo "== stakeholders hear what concerns them: every change above left its messages in the outbox"
"$cutover" comms outbox --limit 100000 --format json > outbox.json
python3 - outbox.json <<'PY'
import json, sys
messages = json.load(open(sys.argv[1]))["messages"]
for m in messages[:6]:
    to = ", ".join(m["recipients"])
    print(f"#{m['id']:<3} {m['kind']:<15} via {m['channel']:<10} to {to:<36} {m['subject'][:60]}")
print(f"  ... {len(messages)} messages in all: one per event, channel and group, never one per component")
PY
echo
echo "== cutover comms announce (the plan, to everyone) and cutover comms invite (each team's Dagger training)"
"$cutover" comms announce
"$cutover" comms invite | head -3
echo "  …"
echo
echo "== cutover comms send: file inboxes, the SRE Slack channel through a local receiver (HMAC-signed), mail waits for its SMTP server"
python3 - "$work/hook" <<'PY' &
import http.server, os, sys
out = sys.argv[1]; os.makedirs(out, exist_ok=True)
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        name = f"{len(os.listdir(out)):03}.json"
        with open(os.path.join(out, name), "wb") as f: f.write(body)
        with open(os.path.join(out, name + ".sig"), "w") as f:
            f.write(self.headers.get("X-Cutover-Timestamp", "") + " " + self.headers.get("X-Cutover-Signature", ""))
        self.send_response(200); self.end_headers()
    def log_message(self, *args): pass
server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
open(os.path.join(out, "port"), "w").write(str(server.server_port))
server.serve_forever()
PY
hook_pid=$!
trap 'kill "$hook_pid" 2>/dev/null || true; rm -rf "$work" "$clone" "${runners[@]:-}"' EXIT
for _ in $(seq 100); do [[ -s "$work/hook/port" ]] && break; sleep 0.1; done
export CUTOVER_OPS_SLACK_URL="http://127.0.0.1:$(cat "$work/hook/port")/hook" CUTOVER_OPS_SLACK_SECRET="demo-signing-secret"
"$cutover" comms send | tail -2 || true
verified="$(python3 - "$work/hook" <<'PY'
import hashlib, hmac, os, sys
out = sys.argv[1]; good = 0; posts = sorted(n for n in os.listdir(out) if n.endswith(".json"))
for name in posts:
    body = open(os.path.join(out, name), "rb").read()
    stamp, signature = open(os.path.join(out, name + ".sig")).read().split(" ")
    mac = hmac.new(b"demo-signing-secret", stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    good += hmac.compare_digest(signature, "sha256=" + mac)
print(f"{len(posts)} posts, {good} with a valid HMAC-SHA256 signature")
PY
)"
echo "inbox: $(ls comms/inbox | wc -l) messages; Slack receiver: $verified; mail: pending until CUTOVER_SMTP_HOST is set"
echo "-- one of them, a training invitation:"
sed -n '5,12p' "$(grep -l '^Subject: .*Dagger training for orchestration: Dagger foundations' comms/inbox/* | head -1)" | cut -c1-160
echo
echo "== signed links: a cutover serve on this checkout checks them with the key the messages are signed with"
export CUTOVER_LINK_SECRET="demo-link-key-0123456789abcdef"
"$cutover" serve --listen 127.0.0.1:0 --tokens "$work/tokens" --state .cutover/state.db 2> "$work/server/checkout.log" &
checkout_pid=$!
trap 'kill "$hook_pid" "$checkout_pid" 2>/dev/null || true; rm -rf "$work" "$clone" "${runners[@]:-}"' EXIT
for _ in $(seq 100); do grep -q "http://" "$work/server/checkout.log" 2>/dev/null && break; sleep 0.1; done
export CUTOVER_SERVER_URL="$(grep -o 'http://[^ ]*' "$work/server/checkout.log" | head -1)"
echo "dashboard: $CUTOVER_SERVER_URL/ ; messages from now on carry links to $CUTOVER_SERVER_URL/act?…"
echo
echo "== a legacy-only fix, and time moving on: cutover comms escalate (as cron would run it)"
echo "# hotfix made on the legacy side only" >> legacy/run-task.sh
CUTOVER_TEST_NOW="$(python3 -c 'import json, subprocess, sys
plan = json.loads(subprocess.run([sys.argv[1], "plan", "--format", "json"], capture_output=True).stdout)
print(plan["phases"][0]["retirement"] + "T09:00:00Z")' "$cutover")" \
  "$cutover" comms escalate | grep -v -E "^legacy definition of \`(ci-integration|observability|token-management)" | head -5
echo "  (CUTOVER_TEST_NOW, the test hook, moved the clock a week past phase 1's gate date; cron runs it on the real clock)"
echo "-- the escalation's Acknowledge link, followed: opening it shows what it grants; an operator confirms"
python3 - "$CUTOVER_SERVER_URL" "$cutover" <<'PY'
import json, subprocess, sys, urllib.error, urllib.request
url, cutover = sys.argv[1], sys.argv[2]
outbox = json.loads(subprocess.run([cutover, "comms", "outbox", "--limit", "0", "--format", "json"],
                                   capture_output=True, check=True).stdout)["messages"]
link = next(a["url"] for m in outbox if m["kind"] == "escalation"
            for a in m["actions"] if a["label"] == "Acknowledge" and a.get("url"))
print("link:", link[:110] + "…")
query = link.split("?", 1)[1]
def post(path, token, body):
    request = urllib.request.Request(f"{url}{path}", data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)
status, granted = post("/v1/links/check", "vw-demo-0123456789ab", {"link": query})
print(f"check (viewer): {status} - this link will {granted['summary']}; needs the {granted['role']} role")
status, refused = post("/v1/links/act", "vw-demo-0123456789ab", {"link": query})
print(f"act (viewer): {status} - {refused['error']}")
status, changed = post("/v1/links/act", "op-demo-0123456789ab", {"link": query.replace("message=", "message=0")})
print(f"act (operator, one character changed): {status} - {changed['error']}")
status, done = post("/v1/links/act", "op-demo-0123456789ab", {"link": query})
print(f"act (operator): {status} - {done['note']}")
PY
kill "$checkout_pid"
echo
echo "== cutover comms schedule --ics migration.ics (status updates per group, phase starts, gates, retirements, training)"
"$cutover" comms schedule --ics migration.ics
grep -A8 '^UID:status-update-management' migration.ics | grep -E '^(UID|DTSTART|RRULE)' | tr -d '\r'
echo
echo "== cutover docs (every document as Markdown and as a self-contained HTML page; times in Europe/Berlin)"
"$cutover" docs --out docs
echo "the latest benchmark in success-criteria.md:"
grep -A6 '^## Benchmark results' docs/success-criteria.md | tail -1 | cut -c1-200
echo "-- training-plan.md (overview):"
sed -n '/^## Overview/,/^## Sessions/p' docs/training-plan.md | sed -n '3,7p'
echo "-- development-impact.md (the foundation's jobs, wall time from the runs above):"
sed -n '/^## platform/,/^While/p' docs/development-impact.md | sed -n '3,5p' | cut -c1-220
echo
echo "== cutover gc --dry-run (what retention would free)"
"$cutover" gc --dry-run
echo
echo "== cutover log"
"$cutover" log
if [[ -n "${DEMO_KEEP:-}" ]]; then
  mkdir -p "$DEMO_KEEP" && cp -r plan.md plan.html docs bench junit.xml migration.ics comms/inbox "$DEMO_KEEP/" && echo "documents copied to $DEMO_KEEP"
fi

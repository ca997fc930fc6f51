#!/usr/bin/env bash
# The main job on the bundled example, end to end, in a scratch copy (the
# repository is never written to): validate the spec, write the phased plan,
# put the foundation phase into shadow, run its components through cutover
# as CI would, and show the resulting status and audit trail.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cargo build --release --quiet --bin cutover --manifest-path "$root/Cargo.toml"
cutover="$root/target/release/cutover"
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
echo "== cutover advance 1 --to shadow (the foundation phase)"
"$cutover" advance 1 --to shadow --reason "foundation enters shadow"
echo
echo "== cutover run, three times per foundation component (as CI would)"
for component in dagger-engine ci-integration observability token-management; do
  for _ in 1 2 3; do "$cutover" run "$component" >/dev/null; done
done
echo
echo "== cutover status"
"$cutover" status
echo
echo "== cutover log"
"$cutover" log
if [[ -n "${DEMO_KEEP:-}" ]]; then
  mkdir -p "$DEMO_KEEP" && cp plan.md plan.html "$DEMO_KEEP/" && echo "plan documents copied to $DEMO_KEEP"
fi

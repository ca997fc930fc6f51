#!/usr/bin/env bash
# Prints where `cargo build --release` puts the cutover binary, honouring
# CARGO_TARGET_DIR and any Cargo configuration (asks Cargo, never guesses).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cargo metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"] + "/release/cutover")'

#!/usr/bin/env bash
# How fast can a side get its own copy of a repository's tracked files?
# Compares, interleaved and repeated, on the repository's disk (target/bench-work):
#   copy      the tracked files copied one by one (`cp`, which like cutover's
#             std::fs::copy uses copy_file_range: block sharing where the file
#             system can, a plain copy on ext4) — what cutover does;
#   hardlink  the same files hard-linked (`cp -l`): fastest, but a side that
#             appends to a tracked file would change the original;
#   worktree  `git worktree add --detach` + `git worktree remove` (HEAD only:
#             uncommitted edits are missing, and it writes into .git).
# The repository is a local clone of this one (ROUNDS defaults to 7).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-7}
work=target/bench-work/workspace
rm -rf "$work" && mkdir -p "$work"
git clone -q . "$work/repo"
repo=$work/repo
files=$(git -C "$repo" ls-files | wc -l)
bytes=$(git -C "$repo" ls-files -z | (cd "$repo" && xargs -0 du -cb | tail -1 | cut -f1))
ms() { python3 -c 'import time; print(int(time.time()*1e6))'; }
declare -A total
for method in copy hardlink worktree; do total[$method]=""; done
for _ in $(seq "$rounds"); do
  for method in copy hardlink worktree; do
    dest=$PWD/$work/dest-$method
    start=$(ms)
    case $method in
      copy) (cd "$repo" && git ls-files -z | xargs -0 cp --parents -P -p --reflink=auto -t "$dest" 2>/dev/null || { mkdir -p "$dest"; git ls-files -z | xargs -0 cp --parents -P -p -t "$dest"; }) ;;
      hardlink) mkdir -p "$dest" && (cd "$repo" && git ls-files -z | xargs -0 cp --parents -P -l -t "$dest") ;;
      worktree) git -C "$repo" worktree add -q --detach "$dest" && git -C "$repo" worktree remove --force "$dest" ;;
    esac
    end=$(ms)
    rm -rf "$dest"
    total[$method]+="$(( (end - start) / 1000 )) "
  done
done
echo "tracked files: $files ($((bytes / 1024)) KiB), $(df -T . | tail -1 | awk '{print $2}') file system, $rounds interleaved rounds (ms):"
for method in copy hardlink worktree; do
  echo "  $method: ${total[$method]}" | python3 -c 'import sys, statistics; l=sys.stdin.read().split(":"); v=[int(x) for x in l[1].split()]; print(f"{l[0]}: median {statistics.median(v)} ms (min {min(v)}, max {max(v)})")'
done
rm -rf "$work"

#!/usr/bin/env bash
# readme_lists_tests.sh: harness/README.md's "Tests" section names every test file under
# tests/harness/<folder>/ (.c .h .sh .py), on that folder's line, and every harness/<folder>/ has a
# row in its map; a new test or layer that the map does not show fails here.
# usage: readme_lists_tests.sh SOURCE_DIR
set -uo pipefail
src=${1:?usage: readme_lists_tests.sh SOURCE_DIR}
readme=$src/harness/README.md
missing=0
for dir in "$src"/tests/harness/*/; do
    name=$(basename "$dir")
    [ "$name" = data ] && continue
    line=$(grep -F -- "- \`tests/harness/$name/\`:" "$readme")
    [ -n "$line" ] || { echo "harness/README.md: no line for tests/harness/$name/" >&2; missing=$((missing + 1)); continue; }
    for f in "$dir"*; do
        base=$(basename "$f")
        case $base in *.c | *.h | *.sh | *.py) ;; *) continue ;; esac
        grep -qF -- "\`$base\`" <<<"$line" ||
            { echo "harness/README.md: tests/harness/$name/$base is not listed" >&2; missing=$((missing + 1)); }
    done
done
for dir in "$src"/harness/*/; do
    name=$(basename "$dir")
    grep -qF -- "| \`$name/\` |" "$readme" ||
        { echo "harness/README.md: the folder map has no row for harness/$name/" >&2; missing=$((missing + 1)); }
done
echo "readme: $missing missing"
[ "$missing" -eq 0 ]

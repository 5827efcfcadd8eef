#!/usr/bin/env bash
# Instructions an entry of the row kernels (README "What limits it"): builds
# count_instructions.c twice (shipped, plain) and runs each case under
# valgrind --tool=callgrind. Counts do not move with the machine's load.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags=(-O3 -ffp-contract=off -fno-math-errno -Wno-psabi)
gcc "${flags[@]}" -o "$work/ours" "$here/count_instructions.c" -lm
gcc "${flags[@]}" -DL2_PLAIN -o "$work/plain" "$here/count_instructions.c" -lm
count() { # binary dtype rows cols mode: instructions an entry inside count_call
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$work/$1" "$2" "$3" "$4" "$5" >/dev/null 2>&1
    callgrind_annotate --inclusive=yes "$work/cg.out" | awk -v n=$(($3 * $4)) \
        '/count_call/ { gsub(",", "", $1); printf "%.1f", $1 / n; exit }'
}
echo "| rows | copy | in place (with the scan) | plain copy |"
echo "| --- | ---: | ---: | ---: |"
for case in "64 200000 8" "32 200000 8" "32 200000 64" "64 2000 10000"; do
    set -- $case
    echo "| float$1, $3 entries ($2 rows) | $(count ours $1 $2 $3 copy) | $(count ours $1 $2 $3 inplace) | $(count plain $1 $2 $3 copy) |"
done

#!/usr/bin/env bash
# Issue 12's build acceptance: a cold `go build ./cmd/cbactl` (empty build
# cache, modules downloaded) takes at most 1.6x the cold build of the
# reference program ./tools/buildref, and the binary is at most 1.25x its
# size.
#
#   tools/buildref/measure.sh [RUNS]
#
# Each run builds the reference, then cbactl, back to back, each with a fresh
# empty GOCACHE (so each also compiles the standard library) and the same
# flags (the environment's GOFLAGS, nothing stripped). Times are wall-clock
# and depend on the machine's load, printed before and after: compare the
# ratios, not the seconds. With several runs the ratios are of the summed
# times. Exits 1 when a ratio exceeds its limit.
set -euo pipefail
cd "$(dirname "$0")/../.."

runs=${1:-1}
max_time=1.6
max_size=1.25

go mod download
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

now() { date +%s.%N; }

# build NAME PACKAGE RUN: prints the seconds a cold build took.
build() {
  local cache="$work/cache-$1-$3" start end
  mkdir -p "$cache"
  start=$(now)
  GOCACHE="$cache" go build -o "$work/$1" "$2"
  end=$(now)
  rm -rf "$cache"
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }'
}

echo "$(go version), $(nproc) CPUs, GOFLAGS=$(go env GOFLAGS)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
ref_total=0 cba_total=0
for run in $(seq "$runs"); do
  ref=$(build buildref ./tools/buildref "$run")
  cba=$(build cbactl ./cmd/cbactl "$run")
  echo "run $run: reference ${ref} s, cbactl ${cba} s, ratio $(awk -v a="$cba" -v b="$ref" 'BEGIN { printf "%.2f", a / b }')"
  ref_total=$(awk -v a="$ref_total" -v b="$ref" 'BEGIN { print a + b }')
  cba_total=$(awk -v a="$cba_total" -v b="$cba" 'BEGIN { print a + b }')
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"

ref_size=$(stat -c %s "$work/buildref")
cba_size=$(stat -c %s "$work/cbactl")
time_ratio=$(awk -v a="$cba_total" -v b="$ref_total" 'BEGIN { printf "%.2f", a / b }')
size_ratio=$(awk -v a="$cba_size" -v b="$ref_size" 'BEGIN { printf "%.2f", a / b }')

verdict() { awk -v r="$1" -v m="$2" 'BEGIN { print (r <= m) ? "holds" : "EXCEEDED" }'; }
printf '%-10s %12s %12s %7s %6s\n' "" reference cbactl ratio limit
printf '%-10s %11.1fs %11.1fs %7s %6s  %s\n' "cold build" "$ref_total" "$cba_total" "$time_ratio" "$max_time" "$(verdict "$time_ratio" "$max_time")"
printf '%-10s %10.1fMB %10.1fMB %7s %6s  %s\n' "binary" "$(awk -v s="$ref_size" 'BEGIN { print s / 1e6 }')" "$(awk -v s="$cba_size" 'BEGIN { print s / 1e6 }')" "$size_ratio" "$max_size" "$(verdict "$size_ratio" "$max_size")"
[ "$(verdict "$time_ratio" "$max_time")" = holds ] && [ "$(verdict "$size_ratio" "$max_size")" = holds ]

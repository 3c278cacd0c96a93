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
# flags (the environment's GOFLAGS, nothing stripped). The limit applies to
# wall-clock time, which depends on the machine's load (printed before and
# after): compare the ratios, not the seconds; the CPU time (user + system)
# of each build is printed too, as it varies less with the load. With
# several runs the ratios are of the summed times. Exits 1 when the wall
# time or size ratio exceeds its limit.
set -euo pipefail
cd "$(dirname "$0")/../.."

runs=${1:-1}
max_time=1.6
max_size=1.25

go mod download
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

now() { date +%s.%N; }

# build NAME PACKAGE RUN: prints the wall-clock and CPU (user + system)
# seconds a cold build took.
build() {
  local cache="$work/cache-$1-$3" start end
  mkdir -p "$cache"
  start=$(now)
  GOCACHE="$cache" go build -o "$work/$1" "$2"
  end=$(now)
  rm -rf "$cache"
  # CPU: this (sub)shell's finished children, go build's tools. Not in a
  # pipe or $(...): a subshell has no children.
  times > "$work/times"
  awk -v s="$start" -v e="$end" 'NR == 2 {
    for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); c += t[1] * 60 + t[2] }
    printf "%.1f %.1f\n", e - s, c
  }' "$work/times"
}

echo "$(go version), $(nproc) CPUs, GOFLAGS=$(go env GOFLAGS)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
ref_total=0 cba_total=0 ref_cpu=0 cba_cpu=0
for run in $(seq "$runs"); do
  read -r ref rcpu < <(build buildref ./tools/buildref "$run")
  read -r cba ccpu < <(build cbactl ./cmd/cbactl "$run")
  echo "run $run: reference ${ref} s (CPU ${rcpu} s), cbactl ${cba} s (CPU ${ccpu} s), ratio $(awk -v a="$cba" -v b="$ref" 'BEGIN { printf "%.2f", a / b }') (CPU $(awk -v a="$ccpu" -v b="$rcpu" 'BEGIN { printf "%.2f", a / b }'))"
  ref_total=$(awk -v a="$ref_total" -v b="$ref" 'BEGIN { print a + b }')
  cba_total=$(awk -v a="$cba_total" -v b="$cba" 'BEGIN { print a + b }')
  ref_cpu=$(awk -v a="$ref_cpu" -v b="$rcpu" 'BEGIN { print a + b }')
  cba_cpu=$(awk -v a="$cba_cpu" -v b="$ccpu" 'BEGIN { print a + b }')
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"

ref_size=$(stat -c %s "$work/buildref")
cba_size=$(stat -c %s "$work/cbactl")
time_ratio=$(awk -v a="$cba_total" -v b="$ref_total" 'BEGIN { printf "%.2f", a / b }')
cpu_ratio=$(awk -v a="$cba_cpu" -v b="$ref_cpu" 'BEGIN { printf "%.2f", a / b }')
size_ratio=$(awk -v a="$cba_size" -v b="$ref_size" 'BEGIN { printf "%.2f", a / b }')

verdict() { awk -v r="$1" -v m="$2" 'BEGIN { print (r <= m) ? "holds" : "EXCEEDED" }'; }
echo "totals of $runs run(s):"
printf '%-10s %12s %12s %7s %6s\n' "" reference cbactl ratio limit
printf '%-10s %11.1fs %11.1fs %7s %6s  %s\n' "cold build" "$ref_total" "$cba_total" "$time_ratio" "$max_time" "$(verdict "$time_ratio" "$max_time")"
printf '%-10s %11.1fs %11.1fs %7s %6s  %s\n' "build CPU" "$ref_cpu" "$cba_cpu" "$cpu_ratio" "" "(user + system: less sensitive to the load)"
printf '%-10s %10.1fMB %10.1fMB %7s %6s  %s\n' "binary" "$(awk -v s="$ref_size" 'BEGIN { print s / 1e6 }')" "$(awk -v s="$cba_size" 'BEGIN { print s / 1e6 }')" "$size_ratio" "$max_size" "$(verdict "$size_ratio" "$max_size")"
[ "$(verdict "$time_ratio" "$max_time")" = holds ] && [ "$(verdict "$size_ratio" "$max_size")" = holds ]

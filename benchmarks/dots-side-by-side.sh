#!/usr/bin/env bash
# Side-by-side decode kernels: one quantized dot product per weight format, ours (the JMH
# DotBenchmark.dotQuantized, int8 activations as in decode) against llama.cpp's own vec_dot for the
# same format (its test-quantize-perf, op vec_dot_q), on one core, with the row in cache. Where
# benchmarks/side-by-side.sh says how far decode is from llama.cpp, this says which kernels make
# the gap: a decode token is the sum of its mat-vecs, and a mat-vec is one dot per row.
#
#   LLAMA_CPP_BIN=/path/to/llama.cpp/build/bin  benchmarks/dots-side-by-side.sh
#
# test-quantize-perf is one of llama.cpp's tests: configure it with -DLLAMA_BUILD_TESTS=ON and build
# the target test-quantize-perf. Both engines report the bytes of quantized weights dotted per
# second over the same N values (default 65536: the row and the activations stay in L2), so the
# ratio is ours / llama.cpp's for the same work. The engines alternate, ROUNDS times (default 3);
# a row's ratio is the median of its rounds'. TYPES (a regex over the format names) narrows a run.
# Our side warms up for 8 s: until C2 has compiled a kernel it runs boxed vectors, ~1000x slower.
# Where a C compiler is on PATH (CC, default cc), the Q4_0, Q4_K and Q6_K rows get a third figure: our
# dot's own operations written with AVX2 intrinsics and compiled ahead of time (benchmarks/c/
# dot_forms.c), which separates the instruction forms the Vector API offers from C2's code for them.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
: "${LLAMA_CPP_BIN:?set LLAMA_CPP_BIN to the folder with test-quantize-perf}"
perf="$LLAMA_CPP_BIN/test-quantize-perf"
[ -x "$perf" ] || { echo "no $perf: build llama.cpp with -DLLAMA_BUILD_TESTS=ON --target test-quantize-perf" >&2; exit 1; }
N="${N:-65536}"; ROUNDS="${ROUNDS:-3}"; TYPES="${TYPES:-.}"
jar="$here/benchmarks/target/benchmarks.jar"
# (re)build when the jar is missing or older than a source: a stale jar would time the old kernels
if [ ! -f "$jar" ] || [ -n "$(find "$here" -path '*/src/*' -name '*.java' -newer "$jar" -print -quit 2>/dev/null)" ]; then
  echo "dots-side-by-side.sh: building (mvn package -DskipTests -pl benchmarks -am)..." >&2
  (cd "$here" && mvn -q -B -DskipTests package -pl benchmarks -am >&2)
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
forms=""
if command -v "${CC:-cc}" > /dev/null && "${CC:-cc}" -O3 -mavx2 -mfma -mf16c -o "$out/dot_forms" "$here/benchmarks/c/dot_forms.c" 2> /dev/null \
    && "$out/dot_forms" q4_0 32 0 > /dev/null 2>&1; then
  forms="$out/dot_forms"
fi

echo "# $(date -u '+%Y-%m-%d %H:%M') UTC, one thread, dot of $N values in cache, $ROUNDS alternating rounds"
printf '%-6s %18s %18s %7s %-18s %s\n' format "llama.cpp GB/s" "tornado-llava GB/s" ratio "(per round)" "same ops in C GB/s"
# ours | llama.cpp's name
for pair in F16:f16 Q8_0:q8_0 Q4_0:q4_0 Q4_K:q4_K Q5_K:q5_K Q6_K:q6_K; do
  ours="${pair%%:*}"; ref="${pair##*:}"
  [[ "$ours" =~ $TYPES ]] || continue
  for round in $(seq "$ROUNDS"); do
    "$perf" --op vec_dot_q --type "$ref" --size "$N" -i 2000 > "$out/ref.$round.txt" 2>&1
    "$java" -jar "$jar" 'DotBenchmark.dotQuantized$' -p type="$ours" -p n="$N" -f 1 -wi 8 -w 1 -i 5 -r 1 \
        -rf json -rff "$out/ours.$round.json" > /dev/null 2>&1
    rm -f "$out/c.$round.txt"
    # the formats dot_forms does not write it refuses (exit 2): those rows print "-"
    if [ -n "$forms" ]; then
      "$forms" "$ref" "$N" 2 > "$out/c.$round.txt" 2> /dev/null || rm -f "$out/c.$round.txt"
    fi
  done
  python3 - "$ours" "$N" "$out" "$ROUNDS" <<'PY'
import json, re, statistics, sys
fmt, n, out, rounds = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
# bytes per value of each format's stored blocks (ggml's block sizes)
block = {"F16": (1, 2), "Q8_0": (32, 34), "Q4_0": (32, 18), "Q4_K": (256, 144), "Q5_K": (256, 176), "Q6_K": (256, 210)}[fmt]
qbytes = n // block[0] * block[1]
refs, ours = [], []
for i in range(1, rounds + 1):
    text = open(f"{out}/ref.{i}.txt").read()
    m = re.search(r"vec_dot_q.*?quantized throughput\s*:\s*([0-9.]+) GB/s", text, re.S)
    if not m:
        sys.exit(f"{fmt}: no vec_dot_q throughput in llama.cpp's output:\n{text[-500:]}")
    refs.append(float(m.group(1)))
    ns = json.load(open(f"{out}/ours.{i}.json"))[0]["primaryMetric"]["score"]
    ours.append(qbytes / ns)
ratios = [o / r for o, r in zip(ours, refs)]
def ms(v):
    return f"{statistics.mean(v):6.2f} ± {statistics.stdev(v) if len(v) > 1 else 0:5.2f}"
perround = "(" + " ".join(f"{r:.2f}" for r in ratios) + ")"
c = []
for i in range(1, rounds + 1):
    try:
        c.append(float(open(f"{out}/c.{i}.txt").read().split()[0]))
    except (OSError, IndexError, ValueError):
        pass
print(f"{fmt:<6} {ms(refs):>18} {ms(ours):>18} {statistics.median(ratios):6.2f}x {perround:<18} {ms(c) if c else '-':>18}")
PY
done

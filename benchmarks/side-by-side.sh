#!/usr/bin/env bash
# Side-by-side CPU speed: tornado-llava's `llava bench` against llama.cpp's `llama-bench` on the
# same GGUF files and thread count, printing tokens/s of both and the ratio per row.
#
#   LLAMA_CPP_BIN=/path/to/llama.cpp/build/bin  MODELS=/path/to/models  benchmarks/side-by-side.sh
#
# MODELS holds files made with ../shared/tools/make_tiny_llava.py (random weights: only speed is
# meaningful) under these names; rows whose file is missing are skipped:
#   llama1b-shape-lm-q8_0.gguf  llama1b-shape-lm-q4_0.gguf  llama1b-shape-lm-f16.gguf
#   llama1b-shape-lm-q4_k_m.gguf (llama-quantize of the F16 file, Q4_K_M)
#   llama7b-shape-lm-q8_0.gguf  clip-l336-mmproj-f16.gguf
# THREADS (2), REPS (3) and ROWS (a regex over row names) narrow a run.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
: "${LLAMA_CPP_BIN:?set LLAMA_CPP_BIN to the folder with llama-bench}"
: "${MODELS:?set MODELS to the folder with the benchmark GGUF files}"
THREADS="${THREADS:-2}"; REPS="${REPS:-3}"; ROWS="${ROWS:-.}"
out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT

# name | file | pp | tg
rows=(
  "1b-q8_0|llama1b-shape-lm-q8_0.gguf|64|32"
  "1b-q4_0|llama1b-shape-lm-q4_0.gguf|64|32"
  "1b-f16|llama1b-shape-lm-f16.gguf|64|32"
  "1b-q4_k_m|llama1b-shape-lm-q4_k_m.gguf|64|32"
  "7b-q8_0|llama7b-shape-lm-q8_0.gguf|64|32"
  "7b-q8_0-prefill616|llama7b-shape-lm-q8_0.gguf|616|0"
)
printf '%-24s %-6s %14s %14s %7s\n' row test "llama.cpp t/s" "llava t/s" ratio
for r in "${rows[@]}"; do
  IFS='|' read -r name file pp tg <<< "$r"
  [[ "$name" =~ $ROWS ]] || continue
  [ -f "$MODELS/$file" ] || { echo "skip $name: no $MODELS/$file" >&2; continue; }
  "$LLAMA_CPP_BIN/llama-bench" -m "$MODELS/$file" -p "$pp" -n "$tg" -t "$THREADS" -r "$REPS" -o json > "$out/ref.json" 2> /dev/null
  "$here/llava" bench -m "$MODELS/$file" -p "$pp" -n "$tg" -t "$THREADS" -r "$REPS" --json > "$out/ours.json" 2> /dev/null
  python3 - "$name" "$out/ref.json" "$out/ours.json" <<'PY'
import json, sys
name, ref, ours = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
def ref_rate(kind):
    for t in ref:
        if kind == "pp" and t["n_prompt"] > 0 and t["n_gen"] == 0: return t["avg_ts"], t["stddev_ts"]
        if kind == "tg" and t["n_gen"] > 0 and t["n_prompt"] == 0: return t["avg_ts"], t["stddev_ts"]
for row in ours:
    kind = row["test"][:2]
    rr = ref_rate(kind)
    if rr is None: continue
    mine = row["tokens_per_second_mean"]
    print(f"{name:<24} {row['test']:<6} {rr[0]:8.2f} ±{rr[1]:4.1f} {mine:8.2f} ±{row['tokens_per_second_sd']:4.1f} {mine / rr[0]:6.2f}x")
PY
done
if [ -f "$MODELS/clip-l336-mmproj-f16.gguf" ] && [[ "clip-image" =~ $ROWS ]]; then
  # llama.cpp has no standalone image-encode benchmark: time ours, per block, for the table
  "$here/llava" bench --mmproj "$MODELS/clip-l336-mmproj-f16.gguf" -t "$THREADS" -r "$REPS" --json 2> /dev/null \
    | python3 -c '
import json, sys
r = json.load(sys.stdin)[0]
s, sd = r["seconds_mean"], r["seconds_sd"]
print(f"clip-l336 image encode: {s:.2f} ± {sd:.2f} s (23 blocks: {s / 23 * 1000:.0f} ms per block)")' 
fi

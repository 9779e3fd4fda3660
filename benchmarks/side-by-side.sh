#!/usr/bin/env bash
# Side-by-side CPU speed: tornado-llava's `llava bench` against llama.cpp's `llama-bench` (and, for
# the image encode, `llama-mtmd-cli`) on the same GGUF files and thread count, printing both
# engines' speed and the ratio per row, and both engines' rates (GFLOP/s for prefill, weight GB/s
# for decode: the work per token `llava bench` derives from the file, over each engine's time).
#
#   LLAMA_CPP_BIN=/path/to/llama.cpp/build/bin  MODELS=/path/to/models  benchmarks/side-by-side.sh
#
# MODELS holds files made with ../shared/tools/make_tiny_llava.py (random weights: only speed is
# meaningful) under these names; rows whose file is missing are skipped:
#   llama1b-shape-lm-q8_0.gguf  llama1b-shape-lm-q4_0.gguf  llama1b-shape-lm-f16.gguf
#   llama1b-shape-lm-q4_k_m.gguf (llama-quantize of the F16 file, Q4_K_M)
#   llama7b-shape-lm-q8_0.gguf  clip-l336-mmproj-f16.gguf
#   image-probe-lm-q8_0.gguf: a 1-layer, 4096-wide LM (--lm-only --n-embd 4096 --n-layer 1
#     --n-head 32 --n-head-kv 32 --n-ff 11008 --lm-type q8_0), only because llama-mtmd-cli needs a
#     language model as wide as the projector's output to encode an image; without it the 7B file
#     serves, and each image round then also waits for llama.cpp's 616-position 7B prefill.
#
# The engines run in alternating rounds (llama.cpp, then ours, ROUNDS times, REPS runs each) and
# each row's ratio is the median of the rounds' ratios (the speeds: mean ± sd over the rounds). A VM
# whose speed drifts over minutes then moves both engines of a round alike, where one long run of
# each would compare different phases.
# THREADS (2), ROUNDS (3), REPS (1) and ROWS (a regex over row names) narrow a run.
# On AVX2 a default llama.cpp build repacks Q4_0 and Q4_K matrices at load into an interleaved copy;
# point LLAMA_CPP_BIN at a build configured with -DGGML_CPU_REPACK=OFF to compare with llama.cpp
# reading the weights as stored, as we do (the README gives both).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
: "${LLAMA_CPP_BIN:?set LLAMA_CPP_BIN to the folder with llama-bench}"
: "${MODELS:?set MODELS to the folder with the benchmark GGUF files}"
THREADS="${THREADS:-2}"; ROUNDS="${ROUNDS:-3}"; REPS="${REPS:-1}"; ROWS="${ROWS:-.}"
out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT

# name | file | pp | tg | depth (tokens already in the context: -d of both benches). A LLaVA
# answer is decoded after its 576 image positions and the prompt, so the d600 rows are the decode
# speed of a real answer; the others start from an empty context, as llama-bench does by default.
rows=(
  "1b-q8_0|llama1b-shape-lm-q8_0.gguf|64|32|0"
  "1b-q4_0|llama1b-shape-lm-q4_0.gguf|64|32|0"
  "1b-f16|llama1b-shape-lm-f16.gguf|64|32|0"
  "1b-q4_k_m|llama1b-shape-lm-q4_k_m.gguf|64|32|0"
  "1b-q8_0-d600|llama1b-shape-lm-q8_0.gguf|0|32|600"
  "1b-q4_k_m-d600|llama1b-shape-lm-q4_k_m.gguf|0|32|600"
  "7b-q8_0|llama7b-shape-lm-q8_0.gguf|64|32|0"
  "7b-q8_0-prefill616|llama7b-shape-lm-q8_0.gguf|616|0|0"
)
echo "# $(date -u '+%Y-%m-%d %H:%M') UTC, $THREADS threads, $ROUNDS alternating rounds of $REPS run(s) per engine"
printf '%-20s %-11s %16s %16s %7s %-22s %s\n' row test "llama.cpp t/s" "llava t/s" ratio "(per round)" "rate llama.cpp / ours"
for r in "${rows[@]}"; do
  IFS='|' read -r name file pp tg depth <<< "$r"
  [[ "$name" =~ $ROWS ]] || continue
  [ -f "$MODELS/$file" ] || { echo "skip $name: no $MODELS/$file" >&2; continue; }
  for round in $(seq "$ROUNDS"); do
    "$LLAMA_CPP_BIN/llama-bench" -m "$MODELS/$file" -p "$pp" -n "$tg" -d "$depth" -t "$THREADS" -r "$REPS" -o json > "$out/ref.$round.json" 2> /dev/null
    "$here/llava" bench -m "$MODELS/$file" -p "$pp" -n "$tg" -d "$depth" -t "$THREADS" -r "$REPS" --json > "$out/ours.$round.json" 2> /dev/null
  done
  python3 - "$name" "$out" "$ROUNDS" <<'PY'
import json, statistics, sys
name, out, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
def ref_samples(ref, kind):
    for t in ref:
        if (kind == "pp" and t["n_prompt"] > 0 and t["n_gen"] == 0) or (kind == "tg" and t["n_gen"] > 0 and t["n_prompt"] == 0):
            return t["samples_ts"]
    return None
tests = {}
for i in range(1, rounds + 1):
    ref, ours = json.load(open(f"{out}/ref.{i}.json")), json.load(open(f"{out}/ours.{i}.json"))
    for row in ours:
        rs = ref_samples(ref, row["test"][:2])
        if rs is None:
            continue
        # one value per engine and round (the mean of its REPS runs): ours reports no single runs
        t = tests.setdefault(row["test"], {"ref": [], "ours": [], "ratio": [], "work": None})
        t["ref"].append(statistics.mean(rs))
        t["ours"].append(row["tokens_per_second_mean"])
        t["ratio"].append(t["ours"][-1] / t["ref"][-1])
        # llava bench's rate over its tokens per second is the work per token (flops or weight
        # bytes, from the file's shapes): the same for both engines, so it gives llama.cpp's rate too
        for key, unit in (("gflops_per_second", "GFLOP/s"), ("weight_gb_per_second", "GB/s")):
            if key + "_mean" in row:
                t["work"] = (row[key + "_mean"] / row["tokens_per_second_mean"], unit)
for test, t in tests.items():
    sd = lambda xs: statistics.stdev(xs) if len(xs) > 1 else 0.0
    ratios = " ".join(f"{x:.2f}" for x in t["ratio"])
    rate = ""
    if t["work"] is not None:
        per_token, unit = t["work"]
        rate = f"{per_token * statistics.mean(t['ref']):.1f} / {per_token * statistics.mean(t['ours']):.1f} {unit}"
    print(f"{name:<20} {test:<11} {statistics.mean(t['ref']):8.2f} ±{sd(t['ref']):5.2f} "
          f"{statistics.mean(t['ours']):8.2f} ±{sd(t['ours']):5.2f} {statistics.median(t['ratio']):6.2f}x {'(' + ratios + ')':<22} {rate}")
PY
done

mmproj="$MODELS/clip-l336-mmproj-f16.gguf"
if [ -f "$mmproj" ] && [[ "clip-image" =~ $ROWS ]]; then
  # Per ViT block: this mmproj stores 23 blocks; we run all 23 (features of the second-to-last of
  # CLIP's 24 layers), llama.cpp runs one fewer. Both times include the projector.
  probe="$MODELS/image-probe-lm-q8_0.gguf"; [ -f "$probe" ] || probe="$MODELS/llama7b-shape-lm-q8_0.gguf"
  image="$here/../shared/golden/images/photo-200x150.jpg"
  : > "$out/image.txt"
  for round in $(seq "$ROUNDS"); do
    ref_ms=""
    if [ -x "$LLAMA_CPP_BIN/llama-mtmd-cli" ] && [ -f "$probe" ] && [ -f "$image" ]; then
      for rep in $(seq "$REPS"); do
        ms=$("$LLAMA_CPP_BIN/llama-mtmd-cli" -m "$probe" --mmproj "$mmproj" --image "$image" -p "Describe the image." \
              -n 1 -t "$THREADS" -c 2048 --chat-template vicuna --temp 0 2>&1 | sed -n 's/.*encoding done in \([0-9]*\) ms.*/\1/p' | head -1)
        ref_ms="$ref_ms ${ms:-nan}"
      done
    fi
    ours_s=$("$here/llava" bench --mmproj "$mmproj" -t "$THREADS" -r "$REPS" --json 2> /dev/null \
      | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["seconds_mean"])')
    echo "$ours_s$ref_ms" >> "$out/image.txt"
  done
  python3 - "$out/image.txt" <<'PY'
import math, statistics, sys
ours, ref, ratio = [], [], []
for line in open(sys.argv[1]):
    f = line.split()
    o = float(f[0]) * 1000 / 23
    ours.append(o)
    r = [float(x) / 22 for x in f[1:] if x != "nan"]
    if r:
        ref += r
        ratio.append(statistics.mean(r) / o)
fmt = lambda xs: f"{statistics.mean(xs):5.0f} ±{statistics.stdev(xs) if len(xs) > 1 else 0:3.0f}"
if ratio:
    rs = " ".join(f"{x:.2f}" for x in ratio)
    print(f"{'clip-l336 image':<20} {'ms/blk':<11} {fmt(ref):>16} {fmt(ours):>16} {statistics.median(ratio):6.2f}x ({rs})")
else:
    print(f"clip-l336 image encode: {fmt(ours)} ms per block (23 blocks); no llama-mtmd-cli timing")
PY
fi

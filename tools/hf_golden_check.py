#!/usr/bin/env python3
"""Checks the golden references of ../shared/golden against Hugging Face transformers itself.

The golden data were made by a NumPy transcription of modeling_clip / modeling_llava (see the
golden README). This script rebuilds the same tiny models as real transformers modules
(CLIPVisionModel inside LlavaForConditionalGeneration, LlamaForCausalLM) from the GGUF files and
compares: the vision hidden states (pre-LN, block 0, hidden_states[-2]), the projector output, the
first-step logits and the greedy ids of the text and multimodal cases.

It needs torch and transformers (the GPU machine of the `device` tool has both); nothing in the
project depends on it. Usage: hf_golden_check.py GOLDEN_DIR [LM_FILE_NAME] [MMPROJ_FILE_NAME]
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import transformers
from transformers import (CLIPVisionConfig, LlamaConfig, LlamaForCausalLM, LlavaConfig,
                          LlavaForConditionalGeneration)

GGUF_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}


def read_gguf(path):
    """Tensors of a GGUF file as float32 arrays in numpy order (ne reversed), and its metadata."""
    data = open(path, "rb").read()
    pos = 0

    def take(fmt):
        nonlocal pos
        v = struct.unpack_from(fmt, data, pos)[0]
        pos += struct.calcsize(fmt)
        return v

    def string():
        nonlocal pos
        n = take("<Q")
        s = data[pos:pos + n].decode("utf-8", "replace")
        pos += n
        return s

    def value(t):
        if t == 8:
            return string()
        if t == 9:
            et, n = take("<I"), take("<Q")
            return [value(et) for _ in range(n)]
        return take(GGUF_SCALARS[t])

    assert data[:4] == b"GGUF", path
    pos = 4
    take("<I")
    n_tensors, n_kv = take("<Q"), take("<Q")
    meta = {}
    for _ in range(n_kv):
        k = string()
        meta[k] = value(take("<I"))
    infos = []
    for _ in range(n_tensors):
        name = string()
        ne = [take("<Q") for _ in range(take("<I"))]
        infos.append((name, ne, take("<I"), take("<Q")))
    align = meta.get("general.alignment", 32)
    base = (pos + align - 1) // align * align
    tensors = {}
    for name, ne, typ, off in infos:
        n = int(np.prod(ne))
        at = base + off
        if typ == 0:
            a = np.frombuffer(data, np.float32, n, at)
        elif typ == 1:
            a = np.frombuffer(data, np.float16, n, at).astype(np.float32)
        elif typ == 8:  # Q8_0: blocks of {f16 d, int8 qs[32]}
            blocks = np.frombuffer(data, np.uint8, n // 32 * 34, at).reshape(-1, 34)
            d = blocks[:, :2].copy().view(np.float16).astype(np.float32)
            a = (blocks[:, 2:].copy().view(np.int8).astype(np.float32) * d).reshape(-1)
        else:
            raise SystemExit(f"{path}: tensor {name} has ggml type {typ}; use an F32, F16 or Q8_0 file")
        tensors[name] = a.reshape(list(reversed(ne))).copy()
    return tensors, meta


def unpermute(w, heads):
    """Undoes llama.cpp's q/k row permutation (adjacent-pair RoPE) back to HF's rotate_half order."""
    out, cols = w.shape
    return w.reshape(heads, out // heads // 2, 2, cols).swapaxes(1, 2).reshape(out, cols)


def build(golden, lm_name, mm_name):
    lm, lmm = read_gguf(os.path.join(golden, "models", lm_name))
    mm, mmm = read_gguf(os.path.join(golden, "models", mm_name))
    a = lmm["general.architecture"]
    n_head, n_kv = lmm[f"{a}.attention.head_count"], lmm[f"{a}.attention.head_count_kv"]
    n_layer, dim = lmm[f"{a}.block_count"], lmm[f"{a}.embedding_length"]
    vocab = lm["token_embd.weight"].shape[0]
    # one extra vocabulary row for the <image> placeholder id; its logit is ignored below
    text = LlamaConfig(vocab_size=vocab + 1, hidden_size=dim, intermediate_size=lmm[f"{a}.feed_forward_length"],
                       num_hidden_layers=n_layer, num_attention_heads=n_head, num_key_value_heads=n_kv,
                       max_position_embeddings=lmm[f"{a}.context_length"], rms_norm_eps=lmm[f"{a}.attention.layer_norm_rms_epsilon"],
                       rope_theta=lmm.get(f"{a}.rope.freq_base", 10000.0), tie_word_embeddings=False, hidden_act="silu")
    v_layers = mmm["clip.vision.block_count"]
    # the mmproj stores CLIP's layers minus the last; HF runs all, LLaVA reads hidden_states[-2]:
    # one more (randomly initialised) layer makes the stored last block exactly hidden_states[-2]
    vision = CLIPVisionConfig(hidden_size=mmm["clip.vision.embedding_length"], intermediate_size=mmm["clip.vision.feed_forward_length"],
                              num_hidden_layers=v_layers + 1, num_attention_heads=mmm["clip.vision.attention.head_count"],
                              image_size=mmm["clip.vision.image_size"], patch_size=mmm["clip.vision.patch_size"],
                              layer_norm_eps=mmm["clip.vision.attention.layer_norm_epsilon"], hidden_act="quick_gelu")
    cfg = LlavaConfig(vision_config=vision, text_config=text, image_token_index=vocab, projector_hidden_act="gelu",
                      vision_feature_select_strategy="default", vision_feature_layer=-2,
                      image_seq_length=(vision.image_size // vision.patch_size) ** 2)
    torch.manual_seed(0)
    model = LlavaForConditionalGeneration(cfg).eval()

    sd = {}
    emb = np.concatenate([lm["token_embd.weight"], np.zeros((1, dim), np.float32)])
    head = np.concatenate([lm["output.weight"], np.zeros((1, dim), np.float32)])
    t = {"embed_tokens.weight": emb, "norm.weight": lm["output_norm.weight"]}
    for l in range(n_layer):
        b, h = f"blk.{l}.", f"layers.{l}."
        t[h + "self_attn.q_proj.weight"] = unpermute(lm[b + "attn_q.weight"], n_head)
        t[h + "self_attn.k_proj.weight"] = unpermute(lm[b + "attn_k.weight"], n_kv)
        t[h + "self_attn.v_proj.weight"] = lm[b + "attn_v.weight"]
        t[h + "self_attn.o_proj.weight"] = lm[b + "attn_output.weight"]
        t[h + "mlp.gate_proj.weight"] = lm[b + "ffn_gate.weight"]
        t[h + "mlp.up_proj.weight"] = lm[b + "ffn_up.weight"]
        t[h + "mlp.down_proj.weight"] = lm[b + "ffn_down.weight"]
        t[h + "input_layernorm.weight"] = lm[b + "attn_norm.weight"]
        t[h + "post_attention_layernorm.weight"] = lm[b + "ffn_norm.weight"]
    v = {"embeddings.patch_embedding.weight": mm["v.patch_embd.weight"], "embeddings.class_embedding": mm["v.class_embd"],
         "embeddings.position_embedding.weight": mm["v.position_embd.weight"],
         "pre_layrnorm.weight": mm["v.pre_ln.weight"], "pre_layrnorm.bias": mm["v.pre_ln.bias"]}
    for l in range(v_layers):
        b, h = f"v.blk.{l}.", f"encoder.layers.{l}."
        up, down = "ffn_up", "ffn_down"
        if mm[b + "ffn_down.weight"].shape[1] == vision.hidden_size:  # legacy converter swapped fc1/fc2
            up, down = down, up
        for gg, hf in (("attn_q", "self_attn.q_proj"), ("attn_k", "self_attn.k_proj"), ("attn_v", "self_attn.v_proj"),
                       ("attn_out", "self_attn.out_proj"), (up, "mlp.fc1"), (down, "mlp.fc2"), ("ln1", "layer_norm1"), ("ln2", "layer_norm2")):
            v[h + hf + ".weight"] = mm[b + gg + ".weight"]
            v[h + hf + ".bias"] = mm[b + gg + ".bias"]
    p = {"linear_1.weight": mm["mm.0.weight"], "linear_1.bias": mm["mm.0.bias"],
         "linear_2.weight": mm["mm.2.weight"], "linear_2.bias": mm["mm.2.bias"]}
    own = model.state_dict()
    prefixes = {"text": [k[: -len("embed_tokens.weight")] for k in own if k.endswith("embed_tokens.weight")][0],
                "vision": [k[: -len("embeddings.class_embedding")] for k in own if k.endswith("embeddings.class_embedding")][0],
                "proj": [k[: -len("linear_1.weight")] for k in own if k.endswith("linear_1.weight")][0],
                "head": [k for k in own if k.endswith("lm_head.weight")][0]}
    for group, prefix in (("text", t), ("vision", v), ("proj", p)):
        for k, val in prefix.items():
            sd[prefixes[group] + k] = torch.from_numpy(np.ascontiguousarray(val))
    sd[prefixes["head"]] = torch.from_numpy(head)
    missing = [k for k in sd if k not in own]
    if missing:
        raise SystemExit(f"names not in the HF model: {missing[:5]}")
    for k, val in sd.items():
        if tuple(own[k].shape) != tuple(val.shape):
            raise SystemExit(f"{k}: HF shape {tuple(own[k].shape)} vs GGUF {tuple(val.shape)}")
    model.load_state_dict(sd, strict=False)
    return model.double(), vocab, cfg


def greedy(model, vocab, input_ids, pixels, n):
    """Greedy ids without a KV cache (the whole sequence each step), argmax over the real vocabulary."""
    ids, out, first = list(input_ids), [], None
    with torch.no_grad():
        for _ in range(n):
            kw = {"input_ids": torch.tensor([ids])}
            if pixels is not None:
                kw["pixel_values"] = pixels
            logits = model(**kw).logits[0, -1, :vocab]
            if first is None:
                first = logits.float().numpy()
            nxt = int(torch.argmax(logits))
            out.append(nxt)
            ids.append(nxt)
    return out, first


def ids_agree(ref, got, gaps):
    for i, (a, b) in enumerate(zip(ref, got)):
        if a != b:
            return f"differ at step {i}"
        if gaps[i] < 1e-3:
            return f"equal up to the near-tie at step {i}"
    return "equal"


def main():
    golden = sys.argv[1]
    lm_name = sys.argv[2] if len(sys.argv) > 2 else "tiny-llava-lm-q8_0.gguf"
    mm_name = sys.argv[3] if len(sys.argv) > 3 else "tiny-llava-mmproj-f32.gguf"
    key = "lm-" + lm_name[len("tiny-llava-lm-"):-len(".gguf")] + "/numpy"
    model, vocab, cfg = build(golden, lm_name, mm_name)
    print(f"transformers {transformers.__version__}, torch {torch.__version__}; LM {lm_name}, mmproj {mm_name}; float64")
    worst = 0.0
    index = json.load(open(os.path.join(golden, "index.json")))
    mm_tag = "mmproj-" + mm_name[len("tiny-llava-mmproj-"):-len(".gguf")]
    for case in index["vision"]:
        if not case["mmproj"].endswith(mm_name):
            continue
        pix = torch.from_numpy(np.load(os.path.join(golden, case["pixels"]))).double()[None]
        inner = getattr(model, "model", model)  # transformers >= 4.52 nests the towers in LlavaModel
        with torch.no_grad():
            hs = inner.vision_tower(pix, output_hidden_states=True).hidden_states
            feats = inner.multi_modal_projector(hs[-2][:, 1:])
        for name, got in (("vision_pre_ln", hs[0]), ("vision_block0", hs[1]), ("vision_last_block", hs[-2]), ("embeddings", feats)):
            d = float(np.abs(got[0].numpy() - np.load(os.path.join(golden, case[name]))).max())
            worst = max(worst, d)
            print(f"{mm_tag} {case['image']} {case['mode']} {name}: max abs {d:.2e}")
    for kind in ("text_cases", "mm_cases"):
        for entry in index[kind]:
            case = json.load(open(os.path.join(golden, entry["case"])))
            ref = case["results"].get(key)
            if ref is None:
                continue
            pixels = None
            if kind == "text_cases":
                ids = case["prompt_ids"]
            else:
                ids, images = [], []
                for seg in case["segments"]:
                    if seg["type"] == "tokens":
                        ids += seg["ids"]
                    else:
                        if not seg["mmproj"].endswith(mm_name):
                            ids = None
                            break
                        ids += [vocab] * seg["n_positions"]
                        images.append(np.load(os.path.join(golden, seg["pixels"])))
                if ids is None:
                    continue
                pixels = torch.from_numpy(np.stack(images)).double()
            got, logits0 = greedy(model, vocab, ids, pixels, case["n_predict"])
            line = f"{case['name']} {key}: greedy ids {ids_agree(ref['generated_ids'], got, ref['top2_gap'])}"
            lf = entry["results"][key].get("logits0")
            if lf:
                d = float(np.abs(logits0 - np.load(os.path.join(golden, lf))).max())
                worst = max(worst, d)
                line += f", logits0 max abs {d:.2e}"
            print(line)
    print(f"worst max abs difference, HF transformers vs golden: {worst:.2e}")


if __name__ == "__main__":
    main()

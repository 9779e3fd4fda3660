/**
 * The LLaMA/Vicuna language model of LLaVA: {@link io.github.tornadollava.llama.LlamaConfig} and
 * {@link io.github.tornadollava.llama.LlamaWeights} from GGUF, the backend-neutral
 * {@link io.github.tornadollava.llama.LanguageModel} with its CPU implementation
 * {@link io.github.tornadollava.llama.LlamaDecoder}, and the generation loop
 * {@link io.github.tornadollava.llama.Generator} over prompts made of token and embedding
 * {@link io.github.tornadollava.llama.Segment}s.
 */
package io.github.tornadollava.llama;

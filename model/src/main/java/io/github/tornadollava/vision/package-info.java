/**
 * LLaVA's image encoder: {@link io.github.tornadollava.vision.VisionEncoder} (pixels -> image
 * embedding rows) and its CPU implementation {@link io.github.tornadollava.vision.CpuVisionEncoder},
 * which runs the CLIP ViT ({@link io.github.tornadollava.vision.VisionTower}, configured by
 * {@link io.github.tornadollava.vision.ClipConfig}, weights in
 * {@link io.github.tornadollava.vision.VisionWeights}) and then the projector of package
 * {@code io.github.tornadollava.projector}. Numerics follow Hugging Face transformers
 * ({@code CLIPVisionModel} + {@code LlavaMultiModalProjector}), not llama.cpp's clip graph.
 */
package io.github.tornadollava.vision;

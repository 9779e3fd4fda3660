/**
 * LLaVA's multimodal projector ({@link io.github.tornadollava.projector.Projector}): ViT patch
 * features -> language-model embedding rows, for the projector types of
 * {@link io.github.tornadollava.projector.ProjectorType}.
 */
package io.github.tornadollava.projector;

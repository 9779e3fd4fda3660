/**
 * Image input for LLaVA: {@link io.github.tornadollava.image.ImageLoader} reads a file into an upright
 * {@code TYPE_INT_RGB} picture (or refuses it with an {@link io.github.tornadollava.image.ImageException}),
 * and {@link io.github.tornadollava.image.ImagePreprocessor} turns it into the vision tower's
 * {@code float[3][S][S]} input, {@link io.github.tornadollava.image.ImageMode#PAD} (LLaVA-1.5, default)
 * or {@link io.github.tornadollava.image.ImageMode#CROP} (CLIP), with Pillow's BICUBIC resize reproduced
 * bit for bit by {@code PillowBicubic}.
 *
 * <pre>{@code
 * float[] pixels = ImagePreprocessor.clip(336).preprocess(ImageLoader.load(path), ImageMode.PAD);
 * }</pre>
 */
package io.github.tornadollava.image;

package io.github.tornadollava.kernels.cpu;

/**
 * The unfolding that turns a stride = kernel convolution (the ViT's patch embedding) into a
 * matmul: each non-overlapping {@code patch x patch} square of a CHW image becomes one row,
 * flattened {@code (c, ky, kx)} as Conv2d's weight is, patches row-major.
 */
public final class Im2col {

    private Im2col() {
    }

    /** Writes the {@code (size/patch)^2} patch rows of {@code image} to {@code out} from {@code outOffset}. */
    public static void unfold(float[] image, int channels, int size, int patch, float[] out, int outOffset) {
        int grid = size / patch;
        int length = channels * patch * patch;
        for (int py = 0; py < grid; py++) {
            for (int px = 0; px < grid; px++) {
                int row = outOffset + (py * grid + px) * length;
                for (int c = 0; c < channels; c++) {
                    for (int ky = 0; ky < patch; ky++) {
                        System.arraycopy(image, (c * size + py * patch + ky) * size + px * patch, out, row + (c * patch + ky) * patch, patch);
                    }
                }
            }
        }
    }
}

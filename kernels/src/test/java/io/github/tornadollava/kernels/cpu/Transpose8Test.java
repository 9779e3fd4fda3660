package io.github.tornadollava.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** The register transpose against its definition, with strides, offsets and ragged column counts. */
class Transpose8Test {

    @Test
    void rowsTransposesEveryValueAndNothingElse() {
        for (int n : new int[] {1, 7, 8, 9, 16, 61, 64}) {
            int srcStride = n + 5;
            int dstStride = 19;
            float[] src = new float[3 + 8 * srcStride];
            for (int i = 0; i < src.length; i++) {
                src[i] = i + 0.5f;
            }
            float[] dst = new float[2 + n * dstStride + 8];
            Arrays.fill(dst, -1f);
            Transpose8.rows(src, 3, srcStride, dst, 2, dstStride, n);
            float[] want = new float[dst.length];
            Arrays.fill(want, -1f);
            for (int j = 0; j < 8; j++) {
                for (int k = 0; k < n; k++) {
                    want[2 + k * dstStride + j] = src[3 + j * srcStride + k];
                }
            }
            for (int i = 0; i < dst.length; i++) {
                assertEquals(want[i], dst[i], "n=" + n + " at " + i);
            }
        }
    }
}

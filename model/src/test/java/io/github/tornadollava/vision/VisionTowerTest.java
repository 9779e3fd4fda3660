package io.github.tornadollava.vision;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.tornadollava.Golden;
import io.github.tornadollava.gguf.GgufEditor;
import io.github.tornadollava.gguf.GGUFException;
import io.github.tornadollava.gguf.GGUFFile;

import static io.github.tornadollava.vision.ClipConfigTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VisionTowerTest {

    private static final String F32 = "models/tiny-llava-mmproj-f32.gguf";
    private static final String CASE = "cases/vision/mmproj-f32/square-56x56.png/pad/";

    @TempDir
    Path tmp;

    private static float[] pixels() {
        return Golden.npy("cases/images/square-56x56.png/pad/pixels.npy").data();
    }

    /** Rows 1.. of a golden [positions][n_embd] stage: what the tower returns once CLS is dropped. */
    private static float[] withoutCls(String stage) {
        float[] all = Golden.npy(CASE + stage + ".npy").data();
        return Arrays.copyOfRange(all, 64, all.length);
    }

    private float[] features(int featureLayer) {
        GgufEditor g = GgufEditor.copyOf(Golden.file(F32)).put("clip.vision.feature_layer", GgufEditor.intArray(featureLayer));
        try (CpuVisionEncoder enc = CpuVisionEncoder.open(g.write(tmp.resolve("fl" + featureLayer + ".gguf")))) {
            assertEquals(featureLayer, enc.tower().weights().blocks().size());
            return enc.tower().forward(pixels(), null, null);
        }
    }

    @Test
    void featureLayerPicksTheHiddenState() {
        assertTrue(Golden.maxAbsDiff(features(0), withoutCls("vision_pre_ln")) < 1e-4, "feature_layer 0 = hidden_states[0]");
        assertTrue(Golden.maxAbsDiff(features(1), withoutCls("vision_block0")) < 1e-4, "feature_layer 1 = output of block 0");
        assertTrue(Golden.maxAbsDiff(features(3), withoutCls("vision_last_block")) < 1e-4, "feature_layer 3 = all 3 blocks");
    }

    /**
     * The first, cold encode (kernels interpreted or in C1) against the same encode once C2 has
     * compiled them, bit for bit: layernorm sums and the attention's exp must not depend on the JIT tier.
     */
    @Test
    void featuresDoNotDependOnTheJitTier() {
        try (CpuVisionEncoder enc = CpuVisionEncoder.open(Golden.file(F32))) {
            float[] cold = enc.encode(pixels(), (done, total) -> { });
            for (int round = 0; round < 300; round++) {
                float[] again = enc.encode(pixels(), (done, total) -> { });
                if (!Arrays.equals(cold, again)) {
                    throw new AssertionError("image features changed at re-encode " + round);
                }
            }
        }
    }

    @Test
    void reportsProgressAfterEveryBlock() {
        List<String> calls = new ArrayList<>();
        try (CpuVisionEncoder enc = CpuVisionEncoder.open(Golden.file(F32))) {
            float[] out = enc.encode(pixels(), (done, total) -> calls.add(done + "/" + total));
            assertEquals(List.of("1/3", "2/3", "3/3"), calls);
            assertEquals(16, enc.tokensPerImage());
            assertEquals(128, enc.outputDim());
            assertEquals(16 * 128, out.length);
        }
    }

    @Test
    void wrongPixelCountIsRejected() {
        try (CpuVisionEncoder enc = CpuVisionEncoder.open(Golden.file(F32))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> enc.encode(new float[3 * 55 * 55]));
            assertMessage(e, "9408", "[3][56][56]", "9075");
        }
    }

    @Test
    void wrongTensorShapeIsRejected() {
        Path bad = GgufEditor.copyOf(Golden.file(F32)).reshapeTensor("v.blk.1.attn_q.weight", 64, 32).write(tmp.resolve("shape.gguf"));
        try (GGUFFile f = GGUFFile.open(bad)) {
            ClipConfig c = ClipConfig.from(f);
            GGUFException e = assertThrows(GGUFException.class, () -> VisionWeights.load(f, c));
            assertMessage(e, "shape.gguf", "v.blk.1.attn_q.weight", "[64, 32]", "[64, 64]");
        }
        bad = GgufEditor.copyOf(Golden.file(F32)).reshapeTensor("v.position_embd.weight", 64, 16).write(tmp.resolve("pos.gguf"));
        GGUFException e = assertThrows(GGUFException.class, () -> CpuVisionEncoder.open(tmp.resolve("pos.gguf")));
        assertMessage(e, "pos.gguf", "v.position_embd.weight", "[64, 16]", "[64, 17]");
    }

    @Test
    void missingTensorIsRejected() {
        Path bad = GgufEditor.copyOf(Golden.file(F32)).removeTensor("v.blk.2.ln2.bias").write(tmp.resolve("missing.gguf"));
        GGUFException e = assertThrows(GGUFException.class, () -> CpuVisionEncoder.open(bad));
        assertMessage(e, "missing.gguf", "v.blk.2.ln2.bias");
    }
}

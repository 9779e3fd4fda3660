package io.github.tornadollava.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.gguf.GGUFTensorInfo;
import io.github.tornadollava.kernels.cpu.WeightMatrix;
import io.github.tornadollava.kernels.format.GGMLType;
import io.github.tornadollava.llama.LlamaConfig;
import io.github.tornadollava.llama.LlamaWeights;

/** The load-time layouts and conversions of {@link DeviceMatrices}, on the golden checkpoints. */
class DeviceMatricesTest {

    @Test
    void q8BlocksAreSplitIntoQuantsAndWidenedScales() {
        try (GGUFFile f = GGUFFile.open(TornadoTestSupport.golden("models/tiny-llava-lm-q8_0.gguf"))) {
            WeightMatrix w = LlamaWeights.load(f, LlamaConfig.from(f)).layers()[0].wq();
            DeviceMatrix.Q8 q = assertInstanceOf(DeviceMatrix.Q8.class, DeviceMatrices.of(w, new DeviceMatrices.Conversions()));
            float[] row = new float[w.cols()];
            for (int r = 0; r < w.rows(); r++) {
                w.dequantizeRow(r, row, 0);
                for (int c = 0; c < w.cols(); c++) {
                    int i = r * w.cols() + c;
                    assertEquals(row[c], q.quants().get(i) * q.scales().get(i / 32), "element " + r + "," + c);
                }
            }
        }
    }

    @Test
    void requantizingQ8WeightsReproducesTheirBlocks() {
        // ggml's quantizer maps a block's largest value to +-127, so quantizing Q8_0 values again is the identity
        try (GGUFFile f = GGUFFile.open(TornadoTestSupport.golden("models/tiny-llava-lm-q8_0.gguf"))) {
            WeightMatrix w = LlamaWeights.load(f, LlamaConfig.from(f)).layers()[1].wDown();
            DeviceMatrix.Q8 direct = (DeviceMatrix.Q8) DeviceMatrices.of(w, new DeviceMatrices.Conversions());
            DeviceMatrix.Q8 again = DeviceMatrices.requantized(w);
            for (int i = 0; i < direct.scales().getSize(); i++) {
                assertEquals(direct.scales().get(i), again.scales().get(i), "scale " + i);
            }
            for (int i = 0; i < direct.quants().getSize(); i++) {
                assertEquals(direct.quants().get(i), again.quants().get(i), "quant " + i);
            }
        }
    }

    @Test
    void kQuantsAndQ5AreConvertedToQ8WithinHalfAStep() {
        try (GGUFFile f = GGUFFile.open(TornadoTestSupport.golden("models/tiny-llava-lm-q4_k_m.gguf"))) {
            LlamaWeights weights = LlamaWeights.load(f, LlamaConfig.from(f));
            DeviceMatrices.Conversions conversions = new DeviceMatrices.Conversions();
            for (LlamaWeights.Layer l : weights.layers()) {
                for (WeightMatrix w : new WeightMatrix[] {l.wq(), l.wk(), l.wv(), l.wo(), l.wGate(), l.wUp(), l.wDown()}) {
                    DeviceMatrix d = DeviceMatrices.of(w, conversions);
                    if (w.type() != GGMLType.Q8_0) {
                        assertWithinHalfStep(w, assertInstanceOf(DeviceMatrix.Q8.class, d));
                    }
                }
            }
            DeviceMatrices.of(weights.output(), conversions);
            Map<String, Integer> stored = new TreeMap<>();
            for (GGUFTensorInfo t : f.tensors()) {
                if (t.dims() == 2 && !t.name().equals("token_embd.weight") && t.type() != GGMLType.Q8_0) {
                    stored.merge(t.type().toString(), 1, Integer::sum);
                }
            }
            String expected = stored.entrySet().stream().map(e -> e.getValue() + " x " + e.getKey() + " -> Q8_0").collect(Collectors.joining(", "));
            assertEquals(expected, conversions.toString());
        }
    }

    private static void assertWithinHalfStep(WeightMatrix w, DeviceMatrix.Q8 q) {
        float[] row = new float[w.cols()];
        for (int r = 0; r < w.rows(); r++) {
            w.dequantizeRow(r, row, 0);
            for (int c = 0; c < w.cols(); c++) {
                int i = r * w.cols() + c;
                float scale = q.scales().get(i / 32);
                float err = Math.abs(row[c] - q.quants().get(i) * scale);
                // half a quantization step, plus the fp16 rounding of the scale (2^-11 relative) over up to 127 steps
                assertTrue(err <= scale * (0.5f + 127 * 0x1p-10f), w.name() + " element " + r + "," + c + ": error " + err + " for scale " + scale);
            }
        }
    }

    @Test
    void halvesRoundAwayFromZeroAsCRoundf() {
        assertEquals(3, DeviceMatrices.roundHalfAway(2.5f));
        assertEquals(-3, DeviceMatrices.roundHalfAway(-2.5f));
        assertEquals(0, DeviceMatrices.roundHalfAway(0.49999997f));
        assertEquals(-127, DeviceMatrices.roundHalfAway(-126.6f));
    }

    @Test
    void f16AndF32AreCopiedBitForBit() {
        try (GGUFFile f = GGUFFile.open(TornadoTestSupport.golden("models/tiny-llava-lm-f16.gguf"))) {
            LlamaWeights weights = LlamaWeights.load(f, LlamaConfig.from(f));
            WeightMatrix w = weights.layers()[0].wv();
            DeviceMatrix.F16 h = assertInstanceOf(DeviceMatrix.F16.class, DeviceMatrices.of(w, new DeviceMatrices.Conversions()));
            float[] row = new float[w.cols()];
            w.dequantizeRow(3, row, 0);
            for (int c = 0; c < w.cols(); c++) {
                assertEquals(row[c], Float.float16ToFloat(h.bits().get(3 * w.cols() + c)));
            }
        }
        try (GGUFFile f = GGUFFile.open(TornadoTestSupport.golden("models/tiny-llava-lm-f32.gguf"))) {
            WeightMatrix w = LlamaWeights.load(f, LlamaConfig.from(f)).output();
            DeviceMatrix.F32 m = assertInstanceOf(DeviceMatrix.F32.class, DeviceMatrices.of(w, new DeviceMatrices.Conversions()));
            float[] row = new float[w.cols()];
            w.dequantizeRow(w.rows() - 1, row, 0);
            for (int c = 0; c < w.cols(); c++) {
                assertEquals(row[c], m.values().get((w.rows() - 1) * w.cols() + c));
            }
        }
    }
}

package io.github.tornadollava.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.llama.LlamaConfig;
import io.github.tornadollava.vision.ClipConfig;

/** The bench's work counts, against what the tiny checkpoints' configs say they must be. */
class WorkCostTest {

    @Test
    void languageModelCostFollowsTheConfig() {
        try (GGUFFile f = GGUFFile.open(CliTest.golden("models/tiny-llava-lm-q8_0.gguf"))) {
            LlamaConfig c = LlamaConfig.from(f);
            WorkCost cost = WorkCost.ofLanguageModel(f);
            // q and output, k and v, gate, up and down
            long perLayer = 2L * c.dim() * c.qDim() + 2L * c.dim() * c.kvDim() + 3L * c.dim() * c.hiddenDim();
            long head = (long) c.vocabSize() * c.dim();
            assertEquals(c.nLayers() * perLayer, cost.layerMatrixElements());
            assertEquals(head, cost.headElements());
            // Q8_0 matrices (34 bytes per 32 weights) and two F32 norms per layer; the embedding is not read
            assertEquals(c.nLayers() * (perLayer / 32 * 34 + 2L * c.dim() * 4), cost.layerWeightBytes());
            assertEquals(cost.layerWeightBytes() + head / 32 * 34, cost.decodeBytesPerToken());
            double matrices = 2.0 * c.nLayers() * perLayer;
            double attendOne = 4.0 * c.qDim() * c.nLayers();
            // one row after 10 positions attends to 11; the head runs for the last row only
            assertEquals(matrices + 2.0 * head + attendOne * 11, cost.prefillFlops(c, 1, 10));
            // three rows from an empty context attend to 1, 2 and 3 positions
            assertEquals(3 * matrices + 2.0 * head + attendOne * 6, cost.prefillFlops(c, 3, 0));
        }
    }

    @Test
    void imageCostCountsTheBlocksThatRun() {
        try (GGUFFile f = GGUFFile.open(CliTest.golden("models/tiny-llava-mmproj-f16.gguf"))) {
            ClipConfig c = ClipConfig.from(f);
            long h = c.embeddingLength();
            long projection = f.tensor("mm.2.weight").ne(1);
            int rows = c.positionCount();
            int patches = c.patchCount();
            double block = 2.0 * rows * (4 * h * h + 2 * h * c.feedForwardLength()) + 4.0 * rows * rows * h;
            double patchEmbedding = 2.0 * patches * 3 * c.patchSize() * c.patchSize() * h;
            double projector = 2.0 * patches * (h * projection + projection * projection);
            double expected = c.blocksToRun() * block + patchEmbedding + projector;
            assertEquals(expected, WorkCost.imageFlops(f, c), 1e-9 * expected);
            // a file that feeds the projector from an earlier layer runs (and counts) one block fewer
            ClipConfig earlier = new ClipConfig(c.imageSize(), c.patchSize(), c.embeddingLength(), c.feedForwardLength(),
                    c.blockCount(), c.headCount(), c.layerNormEps(), c.blockCount() - 1, c.imageMean(), c.imageStd(),
                    c.projectorType(), c.useGelu());
            assertEquals(expected - block, WorkCost.imageFlops(f, earlier), 1e-9 * expected);
        }
    }
}

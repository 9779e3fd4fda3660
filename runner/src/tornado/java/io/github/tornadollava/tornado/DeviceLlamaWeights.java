package io.github.tornadollava.tornado;

import java.util.ArrayList;
import java.util.List;

import io.github.tornadollava.engine.Backend;
import io.github.tornadollava.llama.LlamaWeights;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The decoder's weights in device layouts (host-side TornadoVM arrays, uploaded by the task
 * graphs on their first execution). The token embedding stays in the memory-mapped file: rows
 * are looked up on the host and only the rows fed cross to the device.
 */
record DeviceLlamaWeights(List<Layer> layers, FloatArray outputNorm, DeviceMatrix output) {

    record Layer(FloatArray attnNorm, DeviceMatrix wq, DeviceMatrix wk, DeviceMatrix wv, DeviceMatrix wo,
                 FloatArray ffnNorm, DeviceMatrix wGate, DeviceMatrix wUp, DeviceMatrix wDown) {

        /** Every array of the layer, for transfer and hand-over declarations. */
        Object[] arrays() {
            List<Object> all = new ArrayList<>();
            all.add(attnNorm);
            all.add(ffnNorm);
            for (DeviceMatrix m : List.of(wq, wk, wv, wo, wGate, wUp, wDown)) {
                all.addAll(List.of(m.arrays()));
            }
            return all.toArray();
        }
    }

    /** Object[] of the output head, for the logits graph. */
    Object[] outputArrays() {
        List<Object> all = new ArrayList<>();
        all.add(outputNorm);
        all.addAll(List.of(output.arrays()));
        return all.toArray();
    }

    /** Converts {@code w}; {@code progress} hears of each layer, out of {@code total} steps. */
    static DeviceLlamaWeights of(LlamaWeights w, DeviceMatrices.Conversions conversions, Backend.LoadListener progress, int total) {
        List<Layer> layers = new ArrayList<>();
        for (LlamaWeights.Layer l : w.layers()) {
            layers.add(new Layer(
                    DeviceMatrices.vector(l.attnNorm()),
                    DeviceMatrices.of(l.wq(), conversions),
                    DeviceMatrices.of(l.wk(), conversions),
                    DeviceMatrices.of(l.wv(), conversions),
                    DeviceMatrices.of(l.wo(), conversions),
                    DeviceMatrices.vector(l.ffnNorm()),
                    DeviceMatrices.of(l.wGate(), conversions),
                    DeviceMatrices.of(l.wUp(), conversions),
                    DeviceMatrices.of(l.wDown(), conversions)));
            progress.loaded(layers.size(), total);
        }
        return new DeviceLlamaWeights(List.copyOf(layers), DeviceMatrices.vector(w.outputNorm()), DeviceMatrices.of(w.output(), conversions));
    }
}

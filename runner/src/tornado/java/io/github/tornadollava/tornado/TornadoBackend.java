package io.github.tornadollava.tornado;

import java.util.List;

import io.github.tornadollava.config.TornadoLaunchConfig;
import io.github.tornadollava.config.WorkGroupSizes;
import io.github.tornadollava.engine.Backend;
import io.github.tornadollava.engine.BackendProvider;
import io.github.tornadollava.engine.BackendSettings;
import io.github.tornadollava.engine.MultimodalModel;
import io.github.tornadollava.gguf.GGUFFile;
import io.github.tornadollava.llama.LanguageModel;
import io.github.tornadollava.llama.LlamaConfig;
import io.github.tornadollava.llama.LlamaDecoder;
import io.github.tornadollava.llama.LlamaWeights;
import io.github.tornadollava.vision.VisionEncoder;

/**
 * The TornadoVM backend ({@code --backend tornado}): the decoder and the vision encoder run as
 * task graphs on one TornadoVM device, chosen by {@code --device} (TornadoVM's default device
 * otherwise), with the work-group sizes the launch table gives for that device.
 */
public final class TornadoBackend implements Backend {

    private final TornadoDevices.Entry device;
    private final WorkGroupSizes sizes;
    private final DeviceProfile profile;

    public TornadoBackend(BackendSettings settings) {
        this.device = TornadoDevices.select(settings.device());
        this.sizes = TornadoLaunchConfig.resolve(settings.tornadoConfig()).sizesFor(device.matchText());
        this.profile = settings.profile() ? new DeviceProfile() : null;
    }

    @Override
    public String name() {
        return "tornado";
    }

    @Override
    public String description() {
        return "tornado " + device.backend() + ":" + device.device() + " " + device.name();
    }

    @Override
    public List<String> devices() {
        return TornadoDevices.all().stream().map(TornadoDevices.Entry::line).toList();
    }

    @Override
    public LanguageModel languageModel(GGUFFile lm, int contextSize, LoadListener progress) {
        LlamaConfig config = LlamaConfig.from(lm);
        return new TornadoDecoder(config, LlamaWeights.load(lm, config), contextSize, LlamaDecoder.DEFAULT_MAX_BATCH, device.handle(), sizes,
                profile, progress, lm.path().getFileName().toString());
    }

    @Override
    public VisionEncoder visionEncoder(GGUFFile mmproj, LoadListener progress) {
        return new TornadoVisionEncoder(mmproj, device.handle(), sizes, profile, progress);
    }

    /** Both in one execution plan: image embeddings stay on the device from the projector into the prefill (see {@link TornadoMultimodal}). */
    @Override
    public MultimodalModel multimodal(GGUFFile lm, GGUFFile mmproj, int contextSize, LoadListener progress) {
        return TornadoMultimodal.load(lm, mmproj, contextSize, LlamaDecoder.DEFAULT_MAX_BATCH, device.handle(), sizes, profile, progress,
                "tornado " + device.backend() + ":" + device.device());
    }

    @Override
    public String profileSummary() {
        return profile == null ? "" : profile.drain();
    }

    /** Registered in META-INF/services under the name "tornado". */
    public static final class Provider implements BackendProvider {
        @Override
        public String name() {
            return "tornado";
        }

        @Override
        public Backend create(BackendSettings settings) {
            return new TornadoBackend(settings);
        }
    }
}

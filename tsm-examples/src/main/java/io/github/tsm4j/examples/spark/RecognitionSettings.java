package io.github.tsm4j.examples.spark;

import io.github.tsm4j.core.clip.FrameTiming;
import io.github.tsm4j.core.clip.SamplingMode;
import io.github.tsm4j.core.clip.TestCrop;
import io.github.tsm4j.models.engine.EngineKind;
import io.github.tsm4j.models.recognize.RecognitionOptions;
import io.github.tsm4j.models.recognize.ScoreAveraging;
import java.io.Serializable;

/**
 * {@link RecognitionOptions} in a serializable form, to ship to the executors (the library record is not
 * {@link Serializable}: tsm-models knows nothing of Spark). Same fields; {@link #options()} rebuilds and so
 * re-validates them on the executor.
 *
 * @param sampling frame sampling
 * @param clips clips per video (0 = the mode's default)
 * @param crops crop views
 * @param fullResolution the official {@code --full_res}
 * @param timing what frame indices of a video file mean
 * @param averaging view averaging
 * @param top labels per video
 * @param batch views per forward pass
 * @param decodeThreads decoding threads
 * @param decodeAhead videos decoded ahead
 * @param engine the engine
 * @param engineThreads engine threads
 * @param execution tsm4j's execution settings
 */
record RecognitionSettings(SamplingMode sampling, int clips, TestCrop crops, boolean fullResolution,
        FrameTiming timing, ScoreAveraging averaging, int top, int batch, int decodeThreads, int decodeAhead,
        EngineKind engine, int engineThreads, io.github.tsm4j.core.ExecutionOptions execution) implements Serializable {
    private static final long serialVersionUID = 1L;

    static RecognitionSettings of(RecognitionOptions o) {
        return new RecognitionSettings(o.sampling(), o.clips(), o.crops(), o.fullResolution(), o.timing(),
                o.averaging(), o.top(), o.batch(), o.decodeThreads(), o.decodeAhead(), o.engine(), o.engineThreads(),
                o.execution());
    }

    RecognitionOptions options() {
        return new RecognitionOptions(sampling, clips, crops, fullResolution, timing, averaging, top, batch,
                decodeThreads, decodeAhead, engine, engineThreads, execution);
    }
}

package io.github.tsm4j.core.clip;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Decodes, samples and preprocesses one video (a file or a folder of frames) into the test views a
 * {@link ClipRequest} asks for. tsm-data provides the implementation (JavaCV/FFmpeg) and registers it for
 * {@link java.util.ServiceLoader}; {@link ClipDecoders#find()} finds it. Implementations are thread-safe: the
 * recognizer decodes several videos at once on background threads.
 */
@FunctionalInterface
public interface ClipDecoder {

    /**
     * @param video a video file or a folder of frames
     * @param request what to sample and how to crop and normalise
     * @return the views
     * @throws IOException naming the video when it is missing, unreadable or has no decodable frames
     */
    DecodedClip decode(Path video, ClipRequest request) throws IOException;
}

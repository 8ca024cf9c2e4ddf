package io.github.tsm4j.data.clip;

import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.core.clip.ClipDecoder;
import io.github.tsm4j.core.clip.ClipRequest;
import io.github.tsm4j.core.clip.DecodedClip;
import io.github.tsm4j.data.iterator.ClipLoader;
import io.github.tsm4j.data.iterator.LoadedClip;
import io.github.tsm4j.data.sampling.FrameSampler;
import io.github.tsm4j.data.transform.ClipTransform;
import io.github.tsm4j.data.video.VideoDecodeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Decodes test views with tsm-data's clip pipeline ({@link ClipLoader}: {@link FrameSampler} test indices,
 * {@link ClipTransform#test} scaling and crops, normalisation). Registered as the {@link ClipDecoder} service;
 * stateless and thread-safe.
 */
public final class VideoClipDecoder implements ClipDecoder {

    /** Public for {@link java.util.ServiceLoader}. */
    public VideoClipDecoder() {
    }

    @Override
    public DecodedClip decode(Path video, ClipRequest request) throws IOException {
        if (!Files.exists(video)) {
            throw new IOException("video " + video + " not found");
        }
        InputSpec spec = request.spec();
        ClipLoader loader = new ClipLoader(new FrameSampler(spec.segments(), request.sampling(), request.clips()),
                ClipTransform.test(spec, request.effectiveCrop()), request.timing());
        LoadedClip clip;
        try {
            clip = loader.loadClip(video, null);
        } catch (VideoDecodeException e) {
            String m = e.getMessage();
            String prefix = e.path() + ": ";
            throw new IOException("cannot read video " + video + ": "
                    + (m.startsWith(prefix) ? m.substring(prefix.length()) : m), e);
        } catch (RuntimeException e) {
            throw new IOException("cannot read video " + video + ": " + e.getMessage(), e);
        }
        return new DecodedClip(clip.pixels(), request.crops().views(), request.clips(), spec.segments(),
                request.viewSize(), clip.frameCount(), clip.indices(), clip.timestampsSeconds());
    }
}

package io.github.tsm4j.core.clip;

import java.util.Iterator;
import java.util.ServiceLoader;

/** Finds the {@link ClipDecoder} on the class path ({@link ServiceLoader}). */
public final class ClipDecoders {
    private ClipDecoders() {}

    /**
     * @return the first registered decoder (tsm-data's JavaCV decoder)
     * @throws IllegalStateException naming the artifact to add when none is on the class path
     */
    public static ClipDecoder find() {
        Iterator<ClipDecoder> it = ServiceLoader.load(ClipDecoder.class, ClipDecoders.class.getClassLoader()).iterator();
        if (!it.hasNext()) {
            throw new IllegalStateException("No video decoder on the class path: add the dependency "
                    + "io.github.tsm4j:tsm-data (it registers a " + ClipDecoder.class.getName() + "), or pass a "
                    + "decoder explicitly");
        }
        return it.next();
    }
}

package io.github.tsm4j.models.importer;

/** The two serialisation formats of {@code torch.save}. */
public enum CheckpointFormat {
    /**
     * Before torch 1.6 (and with {@code _use_new_zipfile_serialization=False}): pickled magic number,
     * protocol version and system info, the pickled object with persistent ids for storages, the pickled
     * list of storage keys, then each storage as an 8-byte little-endian element count and raw data.
     */
    LEGACY,
    /** torch &ge; 1.6: a zip archive holding {@code <archive>/data.pkl} and {@code <archive>/data/<key>}. */
    ZIP
}

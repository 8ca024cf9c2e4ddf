package io.github.tsm4j.models.importer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One PyTorch storage: a flat typed buffer that tensors view with an offset and strides. The bytes are
 * attached after the pickle has been read (they follow it in the legacy format, or sit in their own zip
 * entry), and only for storages that the state dict uses.
 */
final class TorchStorage {
    private final String key;
    private final TorchDType dtype;
    private final long numel;
    private ByteBuffer data;

    TorchStorage(String key, TorchDType dtype, long numel) {
        this.key = key;
        this.dtype = dtype;
        this.numel = numel;
    }

    String key() {
        return key;
    }

    TorchDType dtype() {
        return dtype;
    }

    long numel() {
        return numel;
    }

    long byteSize() {
        return Math.multiplyExact(numel, (long) dtype.elementSize());
    }

    boolean isLoaded() {
        return data != null;
    }

    /** @param bytes exactly {@link #byteSize()} bytes, in the given byte order */
    void attach(ByteBuffer bytes, ByteOrder order) {
        if (bytes.remaining() != byteSize()) {
            throw new IllegalStateException("storage " + key + ": expected " + byteSize() + " bytes, got " + bytes.remaining());
        }
        this.data = bytes.slice().order(order);
    }

    /** @return a read-only view of the data, position 0, in the file's byte order */
    ByteBuffer data() {
        if (data == null) {
            throw new IllegalStateException("storage " + key + " has no data attached");
        }
        return data.duplicate().order(data.order());
    }
}

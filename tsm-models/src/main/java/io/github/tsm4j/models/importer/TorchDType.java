package io.github.tsm4j.models.importer;

import java.util.Optional;

/** Element types of PyTorch storages, with the name of their typed storage class. */
public enum TorchDType {
    /** {@code torch.float32}, {@code torch.FloatStorage}. */
    FLOAT32("FloatStorage", 4),
    /** {@code torch.float64}, {@code torch.DoubleStorage}. */
    FLOAT64("DoubleStorage", 8),
    /** {@code torch.float16}, {@code torch.HalfStorage}: converted exactly to float32 on access. */
    FLOAT16("HalfStorage", 2),
    /** {@code torch.bfloat16}, {@code torch.BFloat16Storage}: converted exactly to float32. */
    BFLOAT16("BFloat16Storage", 2),
    /** {@code torch.int64}, {@code torch.LongStorage}. */
    INT64("LongStorage", 8),
    /** {@code torch.int32}, {@code torch.IntStorage}. */
    INT32("IntStorage", 4),
    /** {@code torch.int16}, {@code torch.ShortStorage}. */
    INT16("ShortStorage", 2),
    /** {@code torch.int8}, {@code torch.CharStorage}. */
    INT8("CharStorage", 1),
    /** {@code torch.uint8}, {@code torch.ByteStorage}. */
    UINT8("ByteStorage", 1),
    /** {@code torch.bool}, {@code torch.BoolStorage}. */
    BOOL("BoolStorage", 1);

    private final String storageClass;
    private final int elementSize;

    TorchDType(String storageClass, int elementSize) {
        this.storageClass = storageClass;
        this.elementSize = elementSize;
    }

    /** @return the typed storage class name in module {@code torch}, e.g. {@code FloatStorage} */
    public String storageClass() {
        return storageClass;
    }

    /** @return bytes per element */
    public int elementSize() {
        return elementSize;
    }

    /** @return whether values are floating point */
    public boolean isFloatingPoint() {
        return switch (this) {
            case FLOAT32, FLOAT64, FLOAT16, BFLOAT16 -> true;
            case INT64, INT32, INT16, INT8, UINT8, BOOL -> false;
        };
    }

    /**
     * @param name a storage class name such as {@code FloatStorage}
     * @return the dtype, if the name is one of the typed storages
     */
    public static Optional<TorchDType> ofStorageClass(String name) {
        for (TorchDType t : values()) {
            if (t.storageClass.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}

package io.github.tsm4j.models.importer;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import net.razorvine.pickle.PickleException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PyTorch checkpoint ({@code .pth}, {@code .pth.tar}) read in pure Java: its state dict, in file
 * order, and the scalar entries of a wrapper dict such as the official TSM
 * {@code {'epoch', 'arch', 'state_dict', 'best_prec1', 'optimizer'}}.
 *
 * <p>Both formats of {@code torch.save} are read ({@link CheckpointFormat}). Unpickling follows
 * {@code torch.load(weights_only=True)}: only {@code collections.OrderedDict}, the tensor/parameter
 * rebuild functions of {@code torch._utils}, the typed storages ({@code torch.FloatStorage}, ...) and
 * plain containers may appear; any other global is refused with an {@link UnsafeCheckpointException}
 * before anything is constructed. Every size is checked against the file before memory is allocated, so
 * a truncated or hostile file fails fast with a {@link CheckpointException}.
 *
 * <p>State dict normalisation: a DataParallel {@code module.} prefix is stripped, BatchNorm
 * {@code num_batches_tracked} counters are dropped; nothing else is renamed here (see
 * {@link KeyLayout} for the mapping onto tsm-models).
 */
public final class TorchCheckpoint {
    private static final Logger LOG = LoggerFactory.getLogger(TorchCheckpoint.class);

    /** {@code torch.serialization.MAGIC_NUMBER} of the legacy format. */
    static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    /** {@code torch.serialization.PROTOCOL_VERSION} of the legacy format. */
    static final int LEGACY_PROTOCOL = 1001;
    private static final String DP_PREFIX = "module.";
    /** Largest uncompressed/compressed size ratio accepted for a (non-torch) deflated zip entry. */
    static final long MAX_COMPRESSION_RATIO = 100;
    /** Largest {@code data.pkl} accepted: the pickle of a state dict holds names and shapes only. */
    static final int MAX_PICKLE_BYTES = 256 << 20;

    private final Path path;
    private final CheckpointFormat format;
    private final Map<String, TorchTensor> stateDict;
    private final Map<String, Object> metadata;

    private TorchCheckpoint(Path path, CheckpointFormat format, Map<String, TorchTensor> stateDict, Map<String, Object> metadata) {
        this.path = path;
        this.format = format;
        this.stateDict = Collections.unmodifiableMap(stateDict);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /**
     * Reads a checkpoint.
     *
     * @param file a file written by {@code torch.save}
     * @return the checkpoint, tensors backed by the file's bytes (memory-mapped for the legacy format)
     * @throws UnsafeCheckpointException if the pickle names a global outside the allowlist
     * @throws CheckpointException if the file is not a checkpoint, is truncated or inconsistent
     * @throws IOException if it cannot be read
     */
    public static TorchCheckpoint read(Path file) throws IOException {
        long size = Files.size(file);
        byte[] head = new byte[(int) Math.min(512, size)];
        try (InputStream in = Files.newInputStream(file)) {
            int n = in.readNBytes(head, 0, head.length);
            if (n != head.length) {
                throw new CheckpointException(file, "could not read the first " + head.length + " bytes");
            }
        }
        if (size >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return readZip(file);
        }
        if (size > 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar")) {
            throw new CheckpointException(file, "tar-format checkpoints (PyTorch < 0.4) are not supported; "
                    + "re-save with a newer torch");
        }
        if (size < 2 || (head[0] & 0xff) != 0x80) {
            throw new CheckpointException(file, "not a PyTorch checkpoint: wrong magic (expected a zip archive or a pickle"
                    + " protocol header 0x80, found " + hex(head, 4) + ")");
        }
        return readLegacy(file, size);
    }

    /** @return the file that was read */
    public Path path() {
        return path;
    }

    /** @return the serialisation format of the file */
    public CheckpointFormat format() {
        return format;
    }

    /** @return the state dict in file order: key (without {@code module.}) to tensor; unmodifiable */
    public Map<String, TorchTensor> stateDict() {
        return stateDict;
    }

    /**
     * @return the scalar entries (strings, numbers, booleans) of the wrapper dict, e.g. {@code epoch},
     *     {@code arch}, {@code best_prec1}; empty for a bare state dict
     */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /** @return the wrapper's {@code epoch}, if present */
    public OptionalInt epoch() {
        return metadata.get("epoch") instanceof Number n ? OptionalInt.of(n.intValue()) : OptionalInt.empty();
    }

    /** @return the wrapper's {@code arch}, if present */
    public Optional<String> arch() {
        return metadata.get("arch") instanceof String s ? Optional.of(s) : Optional.empty();
    }

    /** @return the wrapper's {@code best_prec1} (top-1 accuracy in %), if present */
    public OptionalDouble bestPrec1() {
        return metadata.get("best_prec1") instanceof Number n ? OptionalDouble.of(n.doubleValue()) : OptionalDouble.empty();
    }

    // ------------------------------------------------------------------ legacy format

    private static TorchCheckpoint readLegacy(Path file, long size) throws IOException {
        if (size > Integer.MAX_VALUE) {
            throw new CheckpointException(file, "legacy-format files over 2 GiB are not supported (" + size + " bytes)");
        }
        ByteBuffer mapped;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
        }
        ByteBufferInput in = new ByteBufferInput(mapped);
        Map<String, TorchStorage> storages = new LinkedHashMap<>();
        CheckpointUnpickler unpickler = new CheckpointUnpickler(file, in, pid -> storageFromPid(file, pid, storages));

        Object magic = unpickle(file, unpickler, in, "magic number");
        if (!(magic instanceof BigInteger b) || !b.equals(LEGACY_MAGIC)) {
            throw new CheckpointException(file, "wrong magic number " + magic + " (expected 0x" + LEGACY_MAGIC.toString(16)
                    + " of a legacy torch.save file)");
        }
        Object protocol = unpickle(file, unpickler, in, "protocol version");
        if (!(protocol instanceof Number p) || p.intValue() != LEGACY_PROTOCOL) {
            throw new CheckpointException(file, "unsupported legacy protocol version " + protocol + " (expected " + LEGACY_PROTOCOL + ")");
        }
        Object sysInfo = unpickle(file, unpickler, in, "system info");
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        if (sysInfo instanceof Map<?, ?> info && Boolean.FALSE.equals(info.get("little_endian"))) {
            order = ByteOrder.BIG_ENDIAN;
        }
        Object root = unpickle(file, unpickler, in, "object");
        Object keys = unpickle(file, unpickler, in, "storage key list");
        if (!(keys instanceof List<?> keyList)) {
            throw new CheckpointException(file, "storage key list is a " + CheckpointUnpickler.typeName(keys) + ", not a list");
        }
        for (Object k : keyList) {
            TorchStorage s = storages.get(String.valueOf(k));
            long at = in.position();
            if (in.remaining() < 8) {
                throw new CheckpointException(file, "truncated: storage '" + k + "' header at byte " + at + " needs 8 bytes, "
                        + in.remaining() + " left");
            }
            long numel = mapped.duplicate().order(order).getLong((int) at);
            mapped.position((int) at + 8);
            if (s == null) {
                throw new CheckpointException(file, "storage key '" + k + "' is listed but no tensor refers to it");
            }
            if (numel != s.numel()) {
                throw new CheckpointException(file, "storage '" + k + "' at byte " + at + " has " + numel
                        + " elements but the pickle declares " + s.numel());
            }
            long bytes = s.byteSize();
            if (bytes > in.remaining()) {
                throw new CheckpointException(file, "truncated: storage '" + k + "' needs " + bytes + " bytes at byte "
                        + (at + 8) + " but the file has only " + in.remaining() + " left");
            }
            ByteBuffer slice = mapped.slice(mapped.position(), (int) bytes);
            s.attach(slice, order);
            mapped.position(mapped.position() + (int) bytes);
        }
        if (in.remaining() != 0) {
            LOG.debug("{}: {} trailing bytes after the last storage", file, in.remaining());
        }
        for (TorchStorage s : storages.values()) {
            if (!s.isLoaded()) {
                throw new CheckpointException(file, "storage '" + s.key() + "' is referenced but missing from the key list");
            }
        }
        return unwrap(file, CheckpointFormat.LEGACY, root);
    }

    // ------------------------------------------------------------------ zip format

    private static TorchCheckpoint readZip(Path file) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException | java.io.EOFException e) {
            throw new CheckpointException(file, "unreadable zip archive (truncated?): " + e.getMessage(), e);
        }
        try (zip) {
            String prefix = null;
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                String name = en.nextElement().getName();
                int slash = name.indexOf('/');
                if (slash > 0 && name.substring(slash + 1).equals("data.pkl")) {
                    prefix = name.substring(0, slash + 1);
                    break;
                }
            }
            if (prefix == null) {
                throw new CheckpointException(file, "zip archive has no <archive>/data.pkl: not written by torch.save");
            }
            ZipEntry byteorder = zip.getEntry(prefix + "byteorder");
            ByteOrder order = ByteOrder.LITTLE_ENDIAN;
            if (byteorder != null) {
                String bo = new String(readEntry(file, zip, byteorder, 16), StandardCharsets.US_ASCII).trim();
                order = switch (bo) {
                    case "little" -> ByteOrder.LITTLE_ENDIAN;
                    case "big" -> ByteOrder.BIG_ENDIAN;
                    default -> throw new CheckpointException(file, "unknown byteorder '" + bo + "'");
                };
            }
            byte[] pkl = readEntry(file, zip, zip.getEntry(prefix + "data.pkl"), MAX_PICKLE_BYTES);
            ByteBufferInput in = new ByteBufferInput(ByteBuffer.wrap(pkl));
            Map<String, TorchStorage> storages = new LinkedHashMap<>();
            CheckpointUnpickler unpickler = new CheckpointUnpickler(file, in, pid -> storageFromPid(file, pid, storages));
            Object root = unpickle(file, unpickler, in, "data.pkl");
            TorchCheckpoint ckpt = unwrap(file, CheckpointFormat.ZIP, root);
            // only the state dict's storages are read (an optimizer's momentum buffers are left in the file)
            for (TorchTensor t : ckpt.stateDict.values()) {
                TorchStorage s = t.storageForReader();
                if (s.isLoaded()) {
                    continue;
                }
                ZipEntry e = zip.getEntry(prefix + "data/" + s.key());
                if (e == null) {
                    throw new CheckpointException(file, "zip archive has no entry " + prefix + "data/" + s.key());
                }
                long bytes = s.byteSize();
                if (e.getSize() >= 0 && e.getSize() != bytes) {
                    throw new CheckpointException(file, "entry " + e.getName() + " has " + e.getSize() + " bytes but the pickle declares "
                            + s.numel() + " " + s.dtype() + " elements (" + bytes + " bytes)");
                }
                if (bytes > Integer.MAX_VALUE - 8) {
                    throw new CheckpointException(file, "storage " + s.key() + " of " + bytes + " bytes is too large");
                }
                byte[] data = readEntry(file, zip, e, (int) bytes);
                if (data.length != bytes) {
                    throw new CheckpointException(file, "truncated: entry " + e.getName() + " has " + data.length + " of " + bytes + " bytes");
                }
                s.attach(ByteBuffer.wrap(data), order);
            }
            return ckpt;
        }
    }

    private static byte[] readEntry(Path file, ZipFile zip, ZipEntry e, int limit) throws IOException {
        if (e.getSize() > limit) {
            throw new CheckpointException(file, "entry " + e.getName() + " of " + e.getSize() + " bytes is larger than allowed (" + limit + ")");
        }
        // torch.save stores entries uncompressed; a highly compressed entry is a zip bomb, not a checkpoint
        if (e.getMethod() != ZipEntry.STORED && e.getCompressedSize() >= 0
                && (e.getSize() < 0 || e.getSize() > MAX_COMPRESSION_RATIO * Math.max(1, e.getCompressedSize()))) {
            throw new CheckpointException(file, "entry " + e.getName() + " expands from " + e.getCompressedSize() + " to "
                    + e.getSize() + " bytes: refusing a compression ratio above " + MAX_COMPRESSION_RATIO
                    + " (torch.save does not compress)");
        }
        try (InputStream in = zip.getInputStream(e)) {
            byte[] data = in.readNBytes(e.getSize() >= 0 ? (int) e.getSize() : limit);
            if (e.getSize() >= 0 && data.length != e.getSize()) {
                throw new CheckpointException(file, "truncated: entry " + e.getName() + " has " + data.length + " of " + e.getSize() + " bytes");
            }
            return data;
        } catch (CheckpointException ex) {
            throw ex;
        } catch (IOException | RuntimeException ex) {
            throw new CheckpointException(file, "corrupt or truncated zip entry " + e.getName() + ": " + ex, ex);
        }
    }

    // ------------------------------------------------------------------ shared

    private static Object unpickle(Path file, CheckpointUnpickler unpickler, ByteBufferInput in, String what) throws IOException {
        long at = in.position();
        try {
            return unpickler.loadOne();
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException | RuntimeException e) { // PickleException, stack underflow, wrong types: all malformed input
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (in.remaining() == 0) {
                throw new CheckpointException(file, "truncated: the " + what + " pickle starting at byte " + at
                        + " ends early (" + reason + ")", e);
            }
            throw new CheckpointException(file, "malformed " + what + " pickle (starting at byte " + at + ", failed at byte "
                    + in.position() + "): " + reason, e);
        }
    }

    private static CheckpointUnpickler.StorageRef storageFromPid(Path file, Object[] pid, Map<String, TorchStorage> storages) {
        if (!(pid[1] instanceof CheckpointUnpickler.StorageType type)) {
            throw new PickleException("persistent id names storage type " + pid[1] + ", not a typed storage");
        }
        String key = String.valueOf(pid[2]);
        long numel = CheckpointUnpickler.toLong(pid[4], "storage numel");
        if (numel < 0) {
            throw new PickleException("storage " + key + " has negative size " + numel);
        }
        try {
            Math.multiplyExact(numel, (long) type.dtype().elementSize());
        } catch (ArithmeticException e) {
            throw new PickleException("storage " + key + " size " + numel + " overflows");
        }
        TorchStorage s = storages.get(key);
        if (s == null) {
            s = new TorchStorage(key, type.dtype(), numel);
            storages.put(key, s);
        } else if (s.dtype() != type.dtype() || s.numel() != numel) {
            throw new PickleException("storage " + key + " declared twice with different type/size");
        }
        if (pid.length > 5 && pid[5] instanceof Object[] view) {
            // very old torch: (view_key, offset, view_size) of a view into the root storage
            long off = CheckpointUnpickler.toLong(view[1], "storage view offset");
            long len = CheckpointUnpickler.toLong(view[2], "storage view size");
            if (off < 0 || len < 0 || off + len > numel) {
                throw new PickleException("storage view [" + off + ", " + (off + len) + ") outside storage " + key + " of " + numel);
            }
            return new CheckpointUnpickler.StorageRef(s, off, len);
        }
        return new CheckpointUnpickler.StorageRef(s, 0, numel);
    }

    private static TorchCheckpoint unwrap(Path file, CheckpointFormat format, Object root) throws CheckpointException {
        if (!(root instanceof Map<?, ?> top)) {
            throw new CheckpointException(file, "top-level object is a " + CheckpointUnpickler.typeName(root) + ", not a dict");
        }
        Map<?, ?> sd = top;
        Map<String, Object> meta = new LinkedHashMap<>();
        if (!allTensors(top)) {
            Object inner = null;
            for (String k : List.of("state_dict", "model", "model_state_dict", "net")) {
                if (top.get(k) instanceof Map<?, ?> m && allTensors(m) && !m.isEmpty()) {
                    inner = m;
                    break;
                }
            }
            if (inner == null) {
                throw new CheckpointException(file, "no state dict found: top-level keys " + top.keySet()
                        + " (expected tensors, or a 'state_dict' entry holding them)");
            }
            sd = (Map<?, ?>) inner;
            for (Map.Entry<?, ?> e : top.entrySet()) {
                Object v = e.getValue();
                if (v instanceof String || v instanceof Number || v instanceof Boolean) {
                    meta.put(String.valueOf(e.getKey()), v);
                }
            }
        }
        boolean dataParallel = !sd.isEmpty() && sd.keySet().stream().allMatch(k -> String.valueOf(k).startsWith(DP_PREFIX));
        Map<String, TorchTensor> out = new LinkedHashMap<>();
        int dropped = 0;
        for (Map.Entry<?, ?> e : sd.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (dataParallel) {
                key = key.substring(DP_PREFIX.length());
            }
            if (key.endsWith("num_batches_tracked")) {
                dropped++;
                continue;
            }
            out.put(key, (TorchTensor) e.getValue());
        }
        LOG.debug("{}: {} format, {} tensors{}{}", file, format, out.size(),
                dataParallel ? ", 'module.' prefix stripped" : "", dropped > 0 ? ", " + dropped + " num_batches_tracked dropped" : "");
        return new TorchCheckpoint(file, format, out, meta);
    }

    private static boolean allTensors(Map<?, ?> m) {
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String) || !(e.getValue() instanceof TorchTensor)) {
                return false;
            }
        }
        return true;
    }

    private static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(n, b.length); i++) {
            sb.append(String.format("%02x", b[i] & 0xff));
        }
        return sb.length() == 0 ? "an empty file" : "0x" + sb;
    }
}

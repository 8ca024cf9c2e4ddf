package io.github.tsm4j.models.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class TorchCheckpointTest {

    @TempDir
    Path tmp;

    static Path fixture(String name) {
        try {
            return Path.of(TorchCheckpointTest.class.getResource(name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test fixture " + name, e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reader/wrapped_legacy.pth", "reader/wrapped_zip.pth", "reader/bare_legacy.pth", "reader/bare_zip.pth"})
    void readsEveryTensorInFileOrderWithPyTorchValues(String name) throws IOException {
        TorchCheckpoint ckpt = TorchCheckpoint.read(fixture(name));
        JsonNode expected = new ObjectMapper().readTree(fixture("reader/expected.json").toFile());
        List<String> expectedKeys = new ArrayList<>();
        expected.fieldNames().forEachRemaining(expectedKeys::add);
        assertEquals(expectedKeys, new ArrayList<>(ckpt.stateDict().keySet()), "keys, module. stripped, num_batches_tracked dropped");
        for (String key : expectedKeys) {
            JsonNode e = expected.get(key);
            TorchTensor t = ckpt.stateDict().get(key);
            long[] shape = new long[e.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.get("shape").get(i).asLong();
            }
            assertArrayEquals(shape, t.shape(), key);
            assertEquals(e.get("contiguous").asBoolean(), t.isContiguous(), key);
            assertEquals(e.get("offset").asLong(), t.storageOffset(), key);
            double[] values = new double[e.get("values").size()];
            Iterator<JsonNode> it = e.get("values").elements();
            for (int i = 0; it.hasNext(); i++) {
                values[i] = it.next().asDouble();
            }
            switch (e.get("dtype").asText()) {
                case "float32", "float16" -> {
                    float[] f = t.toFloatArray();
                    for (int i = 0; i < values.length; i++) {
                        assertEquals((float) values[i], f[i], 0f, key + "[" + i + "]");
                    }
                }
                case "float64" -> assertArrayEquals(values, t.toDoubleArray(), 0.0, key);
                case "int64" -> {
                    long[] l = t.toLongArray();
                    for (int i = 0; i < values.length; i++) {
                        assertEquals((long) values[i], l[i], key + "[" + i + "]");
                    }
                }
                default -> throw new AssertionError("unexpected dtype in fixture: " + e.get("dtype"));
            }
        }
    }

    @Test
    void readsDtypesAndLayouts() throws IOException {
        Map<String, TorchTensor> sd = TorchCheckpoint.read(fixture("reader/bare_legacy.pth")).stateDict();
        assertEquals(TorchDType.FLOAT64, sd.get("double").dtype());
        assertEquals(TorchDType.INT64, sd.get("long").dtype());
        assertEquals(TorchDType.FLOAT16, sd.get("half").dtype());
        assertArrayEquals(new long[] {1, 6}, sd.get("transposed").stride());
        assertEquals(8, sd.get("sliced").storageOffset());
        assertEquals(0, sd.get("scalar").shape().length);
        assertEquals(2.5f, sd.get("scalar").toFloatArray()[0]);
        assertEquals(1L << 40, sd.get("long").toLongArray()[3]);
        INDArray transposed = sd.get("transposed").toINDArray();
        assertEquals(DataType.FLOAT, transposed.dataType());
        assertArrayEquals(new long[] {6, 4}, transposed.shape());
        // base = arange(24).reshape(4, 6) / 8 - 1, so transposed[i][j] = (6j + i) / 8 - 1
        assertEquals((6 * 3 + 5) / 8.0 - 1, transposed.getDouble(5, 3), 0.0);
        assertEquals(DataType.DOUBLE, sd.get("double").toINDArray().dataType());
    }

    @Test
    void keepsWrapperMetadataAndLeavesTheOptimizerOut() throws IOException {
        for (String name : List.of("reader/wrapped_legacy.pth", "reader/wrapped_zip.pth")) {
            TorchCheckpoint ckpt = TorchCheckpoint.read(fixture(name));
            assertEquals(25, ckpt.epoch().getAsInt());
            assertEquals("resnet50", ckpt.arch().orElseThrow());
            assertEquals(45.625, ckpt.bestPrec1().getAsDouble());
            assertEquals(Map.of("epoch", 25, "arch", "resnet50", "best_prec1", 45.625), ckpt.metadata());
            assertEquals(name.contains("zip") ? CheckpointFormat.ZIP : CheckpointFormat.LEGACY, ckpt.format());
        }
        assertTrue(TorchCheckpoint.read(fixture("reader/bare_zip.pth")).metadata().isEmpty());
    }

    @Test
    void halfPrecisionConvertsExactly() {
        assertEquals(1.0f, TorchTensor.halfToFloat((short) 0x3c00));
        assertEquals(-2.0f, TorchTensor.halfToFloat((short) 0xc000));
        assertEquals(65504f, TorchTensor.halfToFloat((short) 0x7bff));
        assertEquals(0x1p-24f, TorchTensor.halfToFloat((short) 0x0001));
        assertEquals(Float.NEGATIVE_INFINITY, TorchTensor.halfToFloat((short) 0xfc00));
        assertTrue(Float.isNaN(TorchTensor.halfToFloat((short) 0x7e00)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"reader/evil_legacy.pth", "reader/evil_zip.pth"})
    void refusesAGlobalOutsideTheAllowlist(String name) {
        UnsafeCheckpointException e = assertThrows(UnsafeCheckpointException.class, () -> TorchCheckpoint.read(fixture(name)));
        assertEquals("posix.system", e.global());
        assertTrue(e.getMessage().contains("refusing to load global posix.system"), e.getMessage());
        assertTrue(e.getMessage().contains(name.substring(name.indexOf('/') + 1)), e.getMessage());
    }

    /** Every route in {@code reader/hostile/expected.json}, each in the legacy and the zip container. */
    static List<Arguments> hostileCheckpoints() throws IOException {
        JsonNode expected = new ObjectMapper().readTree(fixture("reader/hostile/expected.json").toFile());
        List<Arguments> out = new ArrayList<>();
        expected.fields().forEachRemaining(e -> {
            for (String container : List.of("legacy", "zip")) {
                out.add(Arguments.of(e.getKey(), container, e.getValue().asText()));
            }
        });
        return out;
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("hostileCheckpoints")
    void refusesEveryPickleRouteToAGlobalNamingIt(String route, String container, String global) {
        String name = route + "_" + container + ".pth";
        Path file = fixture("reader/hostile/" + name);
        UnsafeCheckpointException e = assertThrows(UnsafeCheckpointException.class, () -> TorchCheckpoint.read(file));
        assertEquals(global, e.global());
        assertTrue(e.getMessage().startsWith("checkpoint " + file + ": refusing to load global " + global + ": "), e.getMessage());
    }

    @Test
    void hostileFixturesCoverEveryRouteInBothContainers() throws IOException {
        List<Arguments> all = hostileCheckpoints();
        java.util.Set<String> routes = new java.util.TreeSet<>();
        all.forEach(a -> routes.add((String) a.get()[0]));
        assertEquals(java.util.Set.of("global_p2", "stack_global_p4", "stack_global_p5", "inst", "obj", "obj_storage_type",
                "build_module", "build_on_global", "reduce_callable", "reduce_storage_type", "newobj_ex", "getattr_builtin",
                "getattr_chain", "getattr_chain_escape", "wrong_module", "wrong_module_stack_global", "ext1"), routes);
        assertEquals(2 * routes.size(), all.size());
        // the protocol each STACK_GLOBAL fixture was written with (PROTO is the pickle's first opcode after the container)
        for (String container : List.of("legacy", "zip")) {
            assertEquals(4, objectPickleProtocol(fixture("reader/hostile/stack_global_p4_" + container + ".pth")));
            assertEquals(5, objectPickleProtocol(fixture("reader/hostile/stack_global_p5_" + container + ".pth")));
        }
    }

    @Test
    void aDottedNameIsRefusedEvenWhenItSpellsAnAllowlistedGlobal() {
        UnsafeCheckpointException e = assertThrows(UnsafeCheckpointException.class,
                () -> TorchCheckpoint.read(fixture("reader/hostile/getattr_chain_zip.pth")));
        assertTrue(e.getMessage().contains("the name '_utils._rebuild_tensor_v2' in module 'torch' is an attribute path"),
                e.getMessage());
    }

    @Test
    void reduceOfSomethingThatIsNotAGlobalIsRefused() throws IOException {
        // PROTO 2, SHORT_BINUNICODE 'x', EMPTY_TUPLE, REDUCE: calling a string
        Path file = zip(Map.of("archive/data.pkl", bytes(0x80, 2, 0x8c, 1, 'x', ')', 'R', '.')));
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(file));
        assertTrue(e.getMessage().contains("REDUCE of a String: only allowlisted globals may be called"), e.getMessage());
        // OBJ whose "class" is an int
        Path obj = zip(Map.of("archive/data.pkl", bytes(0x80, 2, '(', 'K', 3, 'o', '.')));
        CheckpointException e2 = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(obj));
        assertTrue(e2.getMessage().contains("OBJ of a Integer: only allowlisted globals may be called"), e2.getMessage());
    }

    /** The protocol of the object pickle: data.pkl's PROTO in a zip, the fourth pickle's in a legacy file. */
    private static int objectPickleProtocol(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        if (b[0] == 'P') {
            Map<String, byte[]> entries = unzip(file);
            byte[] pkl = entries.entrySet().stream().filter(en -> en.getKey().endsWith("/data.pkl")).findFirst().orElseThrow().getValue();
            return pkl[1];
        }
        // the legacy magic pickle starts with PROTO n too: all four pickles use the same protocol
        return b[1];
    }

    @Test
    void refusesAHandCraftedReduceOfAnUnknownClass() throws IOException {
        // protocol 2: PROTO 2, GLOBAL 'builtins\neval\n', SHORT_BINUNICODE '1', TUPLE1, REDUCE, STOP
        // framed as a zip-format checkpoint
        byte[] pkl = bytes(0x80, 2, 'c', "builtins\neval\n", 0x8c, 1, '1', 0x85, 'R', '.');
        Path file = zip(Map.of("archive/data.pkl", pkl, "archive/version", "3\n".getBytes()));
        UnsafeCheckpointException e = assertThrows(UnsafeCheckpointException.class, () -> TorchCheckpoint.read(file));
        assertEquals("builtins.eval", e.global());
    }

    @Test
    void truncatedLegacyFileFailsNamingTheStorage() throws IOException {
        byte[] full = Files.readAllBytes(fixture("reader/bare_legacy.pth"));
        Path cut = tmp.resolve("cut.pth");
        Files.write(cut, java.util.Arrays.copyOf(full, full.length - 10));
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(cut));
        assertTrue(e.getMessage().startsWith("checkpoint " + cut + ": truncated: storage '"), e.getMessage());
        assertTrue(e.getMessage().contains("but the file has only"), e.getMessage());
        Path early = tmp.resolve("early.pth");
        Files.write(early, java.util.Arrays.copyOf(full, 300));
        CheckpointException e2 = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(early));
        assertTrue(e2.getMessage().contains("truncated"), e2.getMessage());
    }

    @Test
    void truncatedZipFileFails() throws IOException {
        byte[] full = Files.readAllBytes(fixture("reader/bare_zip.pth"));
        Path cut = tmp.resolve("cut.pth");
        Files.write(cut, java.util.Arrays.copyOf(full, full.length / 2));
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(cut));
        assertTrue(e.getMessage().contains("unreadable zip archive (truncated?)"), e.getMessage());
    }

    @Test
    void wrongMagicIsNotACheckpoint() throws IOException {
        Path png = tmp.resolve("photo.pth");
        Files.write(png, bytes(0x89, 'P', 'N', 'G', 0, 0, 0, 0));
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(png));
        assertEquals("checkpoint " + png + ": not a PyTorch checkpoint: wrong magic (expected a zip archive or a pickle"
                + " protocol header 0x80, found 0x89504e47)", e.getMessage());
        // a pickle, but its first object is not torch's magic number
        Path pickle = tmp.resolve("pickle.pth");
        Files.write(pickle, bytes(0x80, 2, 'K', 42, '.'));
        CheckpointException e2 = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(pickle));
        assertTrue(e2.getMessage().contains("wrong magic number 42"), e2.getMessage());
        Path empty = tmp.resolve("empty.pth");
        Files.write(empty, new byte[0]);
        assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(empty));
    }

    @Test
    void zipWithoutDataPklIsRefused() throws IOException {
        Path file = zip(Map.of("archive/version", "3\n".getBytes(), "archive/data/0", new byte[16]));
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(file));
        assertEquals("checkpoint " + file + ": zip archive has no <archive>/data.pkl: not written by torch.save", e.getMessage());
    }

    @Test
    void zipWithTooSmallStorageEntryIsRefused() throws IOException {
        Map<String, byte[]> entries = unzip(fixture("reader/bare_zip.pth"));
        String victim = entries.keySet().stream().filter(k -> k.contains("/data/")).sorted().findFirst().orElseThrow();
        entries.put(victim, new byte[4]);
        Path file = zip(entries);
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(file));
        assertTrue(e.getMessage().contains("entry " + victim + " has 4 bytes but the pickle declares"), e.getMessage());
    }

    @Test
    void zipBombEntryIsRefused() throws IOException {
        Map<String, byte[]> entries = unzip(fixture("reader/bare_zip.pth"));
        String victim = entries.keySet().stream().filter(k -> k.endsWith("data.pkl")).findFirst().orElseThrow();
        byte[] pkl = entries.get(victim);
        byte[] padded = java.util.Arrays.copyOf(pkl, pkl.length + 4_000_000); // zeros after STOP: compress ~1000:1
        Path file = Files.createTempFile(tmp, "bomb", ".pth");
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getKey().equals(victim) ? padded : e.getValue());
                z.closeEntry();
            }
        }
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(file));
        assertTrue(e.getMessage().contains("refusing a compression ratio above 100"), e.getMessage());
    }

    @Test
    void hugeLengthFieldFailsBeforeAllocating() throws IOException {
        // BINUNICODE claiming 2^31-1 bytes inside a 20-byte data.pkl
        byte[] pkl = bytes(0x80, 2, 'X', 0xff, 0xff, 0xff, 0x7f, 'a', 'b', '.');
        Path file = zip(Map.of("archive/data.pkl", pkl));
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(file));
        assertTrue(e.getMessage().contains("claims 2147483647 bytes but only 3 remain"), e.getMessage());
    }

    @Test
    void tensorViewOutsideItsStorageIsRefused() throws IOException {
        // _rebuild_tensor_v2(storage of 4 floats, offset 2, size (3,), stride (1,), False, OrderedDict())
        byte[] pkl = bytes(0x80, 2, '}', 0x8c, 1, 'w',
                'c', "torch._utils\n_rebuild_tensor_v2\n", '(', '(',
                'X', 7, 0, 0, 0, "storage", 'c', "torch\nFloatStorage\n", 'X', 1, 0, 0, 0, "0", 'X', 3, 0, 0, 0, "cpu", 'K', 4, 't', 'Q',
                'K', 2, 'K', 3, 0x85, 'K', 1, 0x85, 0x89, 'c', "collections\nOrderedDict\n", ')', 'R', 't', 'R',
                's', '.');
        Path file = zip(Map.of("archive/data.pkl", pkl, "archive/data/0", new byte[16]));
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.read(file));
        assertTrue(e.getMessage().contains("reaches element 4 of storage 0 with only 4 elements"), e.getMessage());
    }

    @Test
    void handCraftedTensorReadsBack() throws IOException {
        byte[] pkl = bytes(0x80, 2, '}', 0x8c, 1, 'w',
                'c', "torch._utils\n_rebuild_tensor_v2\n", '(', '(',
                'X', 7, 0, 0, 0, "storage", 'c', "torch\nFloatStorage\n", 'X', 1, 0, 0, 0, "0", 'X', 3, 0, 0, 0, "cpu", 'K', 4, 't', 'Q',
                'K', 1, 'K', 3, 0x85, 'K', 1, 0x85, 0x89, 'c', "collections\nOrderedDict\n", ')', 'R', 't', 'R',
                's', '.');
        java.nio.ByteBuffer data = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        data.putFloat(1f).putFloat(2f).putFloat(3f).putFloat(4f);
        Path file = zip(Map.of("archive/data.pkl", pkl, "archive/data/0", data.array()));
        TorchTensor w = TorchCheckpoint.read(file).stateDict().get("w");
        assertArrayEquals(new float[] {2f, 3f, 4f}, w.toFloatArray());
        assertEquals(TorchDType.FLOAT32, w.dtype());
        assertEquals(1, w.storageOffset());
    }

    @ParameterizedTest
    @ValueSource(strings = {"reader/wrapped_legacy.pth", "reader/wrapped_zip.pth"})
    void corruptedFilesFailWithACheckpointExceptionOrReadCleanly(String name) throws IOException {
        byte[] original = Files.readAllBytes(fixture(name));
        java.util.Random random = new java.util.Random(42);
        Path file = tmp.resolve("fuzz.pth");
        int failures = 0;
        for (int trial = 0; trial < 300; trial++) {
            byte[] b = original.clone();
            if (trial % 3 == 0) {
                b = java.util.Arrays.copyOf(b, random.nextInt(b.length));
            } else {
                for (int k = 0; k < 1 + trial % 4; k++) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
            }
            Files.write(file, b);
            try {
                TorchCheckpoint.read(file).stateDict().values().forEach(TorchTensor::toDoubleArray);
            } catch (CheckpointException e) {
                failures++;
                assertTrue(e.getMessage().startsWith("checkpoint " + file + ": "), e.getMessage());
            }
        }
        assertTrue(failures > 50, "only " + failures + " of 300 corruptions detected");
    }

    // ------------------------------------------------------------------ helpers

    /** Bytes from ints (0..255), chars and ASCII strings. */
    static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof Integer i) {
                out.write(i);
            } else if (p instanceof Character c) {
                out.write(c);
            } else {
                out.writeBytes(((String) p).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
        }
        return out.toByteArray();
    }

    private Path zip(Map<String, byte[]> entries) throws IOException {
        Path file = Files.createTempFile(tmp, "ckpt", ".pth");
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : new java.util.TreeMap<>(entries).entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return file;
    }

    private static Map<String, byte[]> unzip(Path file) throws IOException {
        Map<String, byte[]> out = new java.util.LinkedHashMap<>();
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(file.toFile())) {
            for (ZipEntry e : java.util.Collections.list(z.entries())) {
                out.put(e.getName(), z.getInputStream(e).readAllBytes());
            }
        }
        return out;
    }
}

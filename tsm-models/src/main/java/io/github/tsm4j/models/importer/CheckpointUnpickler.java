package io.github.tsm4j.models.importer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;
import net.razorvine.pickle.objects.SetConstructor;

/**
 * razorvine's Unpickler with PyTorch's {@code weights_only} discipline.
 *
 * <ul>
 *   <li>Globals ({@code GLOBAL}, {@code STACK_GLOBAL}, {@code INST}) are resolved against a per-instance
 *       allowlist of exact (module, name) pairs instead of razorvine's static constructor registry (which
 *       would otherwise turn any unknown class into a dictionary and is shared by the whole JVM); anything
 *       else is an {@link UnsafeCheckpointException} naming the global. A dotted name (which protocol 4
 *       resolves as a getattr chain) is refused even when it spells an allowlisted global, and so are
 *       copyreg extension codes ({@code EXT1/2/4}).
 *   <li>Only allowlisted callables may be called ({@code REDUCE}, {@code NEWOBJ}, {@code NEWOBJ_EX},
 *       {@code OBJ}, {@code INST}); the storage types are allowlisted as persistent-id tags, not as
 *       callables.
 *   <li>Dicts keep insertion order ({@code OrderedDict} state dicts come out in module order).
 *   <li>{@code BUILD} is only accepted for the instance dict of an OrderedDict (the state dict's
 *       {@code _metadata}), which is dropped; never on a global itself.
 *   <li>Length-prefixed opcodes are checked against the bytes left before razorvine allocates.
 * </ul>
 */
final class CheckpointUnpickler extends Unpickler {

    /** A storage reference from a persistent id: a whole storage or a view {@code [base, base+numel)} of it. */
    record StorageRef(TorchStorage root, long base, long numel) {}

    /** The type object {@code torch.FloatStorage} etc. as it appears inside persistent ids. */
    record StorageType(TorchDType dtype) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            throw new PickleException("storage type torch." + dtype.storageClass() + " cannot be called in a checkpoint");
        }
    }

    /** Marker for a reduce result that is an ordered dict. */
    static final class OrderedDict extends LinkedHashMap<Object, Object> {
        private static final long serialVersionUID = 1L;
    }

    private final Path file;
    private final ByteBufferInput in;
    private final Function<Object[], StorageRef> storages;
    private final Map<String, IObjectConstructor> allowed = new LinkedHashMap<>();
    /** The allowlisted global each resolved object is, for messages (identity: the objects are singletons here). */
    private final Map<Object, String> globalNames = new IdentityHashMap<>();

    /**
     * @param file the checkpoint (for messages)
     * @param in the pickle bytes (positioned at the first opcode)
     * @param storages resolves a persistent id tuple {@code ('storage', type, key, location, numel[, view])}
     */
    CheckpointUnpickler(Path file, ByteBufferInput in, Function<Object[], StorageRef> storages) {
        this.file = file;
        this.in = in;
        this.storages = storages;
        IObjectConstructor ordered = args -> {
            if (args.length != 0) {
                throw new PickleException("OrderedDict with constructor arguments is not supported");
            }
            return new OrderedDict();
        };
        allowed.put("collections.OrderedDict", ordered);
        allowed.put("torch._utils._rebuild_tensor_v2", args -> rebuildTensor(args, "_rebuild_tensor_v2"));
        allowed.put("torch._utils._rebuild_tensor", args -> rebuildTensor(args, "_rebuild_tensor"));
        allowed.put("torch._utils._rebuild_parameter", CheckpointUnpickler::rebuildParameter);
        allowed.put("torch._utils._rebuild_parameter_with_state", CheckpointUnpickler::rebuildParameter);
        allowed.put("builtins.set", new SetConstructor());
        allowed.put("builtins.frozenset", new SetConstructor());
        allowed.put("__builtin__.set", new SetConstructor());
        for (TorchDType t : TorchDType.values()) {
            allowed.put("torch." + t.storageClass(), new StorageType(t));
        }
    }

    /** Reads one pickle (up to its STOP opcode). */
    Object loadOne() throws IOException {
        return load(in);
    }

    @Override
    protected Object dispatch(short key) throws PickleException, IOException {
        switch (key) {
            case Opcodes.GLOBAL -> {
                String module = PickleUtils.readline(in);
                String name = PickleUtils.readline(in);
                stack.add(resolve(module, name));
            }
            case Opcodes.STACK_GLOBAL -> {
                Object name = stack.pop();
                Object module = stack.pop();
                if (!(name instanceof String n) || !(module instanceof String m)) {
                    throw new PickleException("STACK_GLOBAL needs two strings, found " + module + " and " + name);
                }
                stack.add(resolve(m, n));
            }
            case Opcodes.INST -> {
                String module = PickleUtils.readline(in);
                String name = PickleUtils.readline(in);
                IObjectConstructor c = resolve(module, name);
                List<Object> args = stack.pop_all_since_marker();
                stack.add(call("INST", c, args.toArray()));
            }
            case Opcodes.OBJ -> {
                List<Object> items = stack.pop_all_since_marker();
                if (items.isEmpty()) {
                    throw new PickleException("OBJ without a class");
                }
                stack.add(call("OBJ", items.get(0), items.subList(1, items.size()).toArray()));
            }
            case Opcodes.NEWOBJ_EX -> {
                Object kwargs = stack.pop();
                Object args = stack.pop();
                Object cls = stack.pop();
                if (!(kwargs instanceof Map<?, ?> kw) || !kw.isEmpty()) {
                    throw new PickleException("NEWOBJ_EX of " + describeCallable(cls) + " with keyword arguments " + describe(kwargs)
                            + " is not supported");
                }
                stack.add(call("NEWOBJ_EX", cls, args));
            }
            case Opcodes.EXT1, Opcodes.EXT2, Opcodes.EXT4 -> {
                int width = key == Opcodes.EXT1 ? 1 : key == Opcodes.EXT2 ? 2 : 4;
                byte[] b = PickleUtils.readbytes(in, width);
                long code = 0;
                for (int i = width - 1; i >= 0; i--) {
                    code = (code << 8) | (b[i] & 0xff);
                }
                throw new UnsafeCheckpointException(file, "copyreg extension code " + code,
                        "extension codes name globals through Python's copyreg registry, which torch.save never uses");
            }
            case Opcodes.EMPTY_DICT -> stack.add(new LinkedHashMap<>());
            case Opcodes.DICT -> {
                List<Object> top = stack.pop_all_since_marker();
                Map<Object, Object> map = new LinkedHashMap<>();
                putPairs(map, top);
                stack.add(map);
            }
            case Opcodes.SETITEMS -> {
                List<Object> top = stack.pop_all_since_marker();
                Object target = stack.peek();
                if (!(target instanceof Map<?, ?>)) {
                    throw new PickleException("SETITEMS on a " + typeName(target) + ", not a dict");
                }
                @SuppressWarnings("unchecked")
                Map<Object, Object> map = (Map<Object, Object>) target;
                putPairs(map, top);
            }
            case Opcodes.BUILD -> {
                Object state = stack.pop();
                Object target = stack.peek();
                String global = globalNames.get(target);
                if (global != null) {
                    throw new UnsafeCheckpointException(file, global, "BUILD (setstate) on a global would change it for the"
                            + " whole program; only an OrderedDict's instance dict may be built");
                }
                if (!(target instanceof OrderedDict) || !(state instanceof Map<?, ?>)) {
                    throw new PickleException("BUILD (setstate) of a " + typeName(target) + " with a " + typeName(state)
                            + " is not allowed: only an OrderedDict's instance dict");
                }
            }
            case Opcodes.REDUCE, Opcodes.NEWOBJ -> {
                Object args = stack.pop();
                Object callable = stack.pop();
                stack.add(call(key == Opcodes.REDUCE ? "REDUCE" : "NEWOBJ", callable, args));
            }
            case Opcodes.BINBYTES, Opcodes.BINUNICODE, Opcodes.BINSTRING -> {
                checkLength(4, key);
                return super.dispatch(key);
            }
            case Opcodes.BINBYTES8, Opcodes.BINUNICODE8, Opcodes.BYTEARRAY8 -> {
                checkLength(8, key);
                return super.dispatch(key);
            }
            case Opcodes.LONG4 -> {
                checkLength(4, key);
                return super.dispatch(key);
            }
            default -> {
                return super.dispatch(key);
            }
        }
        return NO_RETURN_VALUE;
    }

    @Override
    protected Object persistentLoad(Object pid) {
        if (!(pid instanceof Object[] tuple) || tuple.length < 5 || !"storage".equals(tuple[0])) {
            throw new PickleException("unsupported persistent id " + describe(pid) + ": expected ('storage', type, key, location, numel)");
        }
        return storages.apply(tuple);
    }

    private IObjectConstructor resolve(String module, String name) throws UnsafeCheckpointException {
        String global = module + "." + name;
        if (name.contains(".")) {
            throw new UnsafeCheckpointException(file, global, "the name '" + name + "' in module '" + module
                    + "' is an attribute path (a getattr chain); only module-level globals of the allowlist are allowed");
        }
        IObjectConstructor c = allowed.get(global);
        if (c == null) {
            throw new UnsafeCheckpointException(file, global);
        }
        globalNames.put(c, global);
        return c;
    }

    /** Calls an allowlisted global; {@code opcode} names the route for messages. */
    private Object call(String opcode, Object callable, Object args) throws UnsafeCheckpointException {
        if (callable instanceof StorageType t) {
            throw new UnsafeCheckpointException(file, "torch." + t.dtype().storageClass(), opcode + " calls it, but a storage type"
                    + " may only tag a persistent id in a checkpoint");
        }
        if (!(callable instanceof IObjectConstructor c) || globalNames.get(callable) == null) {
            throw new PickleException(opcode + " of " + describeCallable(callable) + ": only allowlisted globals may be called");
        }
        if (!(args instanceof Object[] a)) {
            throw new PickleException(opcode + " of " + globalNames.get(callable) + " with a " + typeName(args) + ", not a tuple");
        }
        return c.construct(a);
    }

    private String describeCallable(Object o) {
        String global = globalNames.get(o);
        return global != null ? global : "a " + typeName(o);
    }

    /** The next length field must not claim more bytes than the pickle has left. */
    private void checkLength(int width, short opcode) throws IOException {
        if (in.remaining() < width) {
            throw new PickleException("premature end of pickle in the length of opcode 0x" + Integer.toHexString(opcode));
        }
        in.mark(width);
        byte[] b = PickleUtils.readbytes(in, width);
        in.reset();
        long len = width == 4 ? (PickleUtils.bytes_to_integer(b) & 0xffffffffL) : PickleUtils.bytes_to_long(b, 0);
        long left = in.remaining() - width;
        if (len < 0 || len > left) {
            throw new PickleException("opcode 0x" + Integer.toHexString(opcode) + " at byte " + in.position()
                    + " claims " + len + " bytes but only " + left + " remain");
        }
    }

    private static void putPairs(Map<Object, Object> map, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw new PickleException("odd number of dict items: " + items.size());
        }
        for (int i = 0; i < items.size(); i += 2) {
            map.put(items.get(i), items.get(i + 1));
        }
    }

    private static Object rebuildParameter(Object[] args) {
        if (args.length < 1 || !(args[0] instanceof TorchTensor t)) {
            throw new PickleException("_rebuild_parameter expects a tensor, found " + describe(args));
        }
        return t;
    }

    /** {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])}. */
    private static Object rebuildTensor(Object[] args, String fn) {
        if (args.length < 4 || !(args[0] instanceof StorageRef ref)) {
            throw new PickleException(fn + " expects (storage, offset, size, stride, ...), found " + describe(args));
        }
        long offset = toLong(args[1], fn + " storage_offset");
        long[] size = toLongs(args[2], fn + " size");
        long[] stride = toLongs(args[3], fn + " stride");
        if (size.length != stride.length) {
            throw new PickleException(fn + ": size has " + size.length + " dims but stride has " + stride.length);
        }
        long numel = 1;
        long last = offset;
        try {
            for (int d = 0; d < size.length; d++) {
                if (size[d] < 0 || stride[d] < 0) {
                    throw new PickleException(fn + ": negative size or stride in " + java.util.Arrays.toString(size)
                            + " / " + java.util.Arrays.toString(stride));
                }
                numel = Math.multiplyExact(numel, size[d]);
                if (size[d] > 0) {
                    last = Math.addExact(last, Math.multiplyExact(size[d] - 1, stride[d]));
                }
            }
        } catch (ArithmeticException e) {
            throw new PickleException(fn + ": size " + java.util.Arrays.toString(size) + " overflows", e);
        }
        if (offset < 0 || (numel > 0 && last >= ref.numel())) {
            throw new PickleException(fn + ": view (offset " + offset + ", size " + java.util.Arrays.toString(size)
                    + ", stride " + java.util.Arrays.toString(stride) + ") reaches element " + last
                    + " of storage " + ref.root().key() + " with only " + ref.numel() + " elements");
        }
        if (numel > Integer.MAX_VALUE) {
            throw new PickleException(fn + ": tensor of " + numel + " elements is larger than a Java array");
        }
        return new TorchTensor(ref.root(), ref.base() + offset, size, stride);
    }

    static long toLong(Object o, String what) {
        if (o instanceof Integer || o instanceof Long || o instanceof Short || o instanceof Byte) {
            return ((Number) o).longValue();
        }
        throw new PickleException(what + " must be an integer, found " + describe(o));
    }

    private static long[] toLongs(Object o, String what) {
        if (!(o instanceof Object[] a)) {
            throw new PickleException(what + " must be a tuple, found " + describe(o));
        }
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = toLong(a[i], what);
        }
        return out;
    }

    static String typeName(Object o) {
        return o == null ? "None" : o.getClass().getSimpleName();
    }

    static String describe(Object o) {
        if (o instanceof Object[] a) {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < a.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(a[i] instanceof Object[] ? describe(a[i]) : String.valueOf(a[i]));
            }
            return sb.append(")").toString();
        }
        return String.valueOf(o);
    }
}

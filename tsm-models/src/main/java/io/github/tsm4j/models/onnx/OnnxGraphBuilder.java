package io.github.tsm4j.models.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import onnx.Onnx;
import org.nd4j.shade.protobuf.ByteString;

/**
 * Collects the nodes, initializers, inputs and outputs of one ONNX graph, written with the ONNX protobuf classes
 * that ship with nd4j-api ({@code onnx.Onnx}, protobuf shaded as {@code org.nd4j.shade.protobuf}). Constants are
 * initializers (float32 or int64, little-endian {@code raw_data}); equal int64 constants are shared.
 */
final class OnnxGraphBuilder {

    private final Onnx.GraphProto.Builder graph = Onnx.GraphProto.newBuilder();
    private final Map<String, String> int64Constants = new HashMap<>();
    private final List<String> initializerNames = new ArrayList<>();
    private int counter;

    OnnxGraphBuilder(String name) {
        graph.setName(name);
    }

    /** A fresh tensor name derived from {@code base}. */
    String fresh(String base) {
        return base + "/" + (counter++);
    }

    /** Adds a node with one output named {@code output}; @return {@code output} */
    String node(String op, String output, List<String> inputs, Onnx.AttributeProto... attributes) {
        nodeMulti(op, List.of(output), inputs, attributes);
        return output;
    }

    /** Adds a node with several outputs. */
    void nodeMulti(String op, List<String> outputs, List<String> inputs, Onnx.AttributeProto... attributes) {
        Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setOpType(op).setName(outputs.get(0) + ":" + op);
        n.addAllInput(inputs);
        n.addAllOutput(outputs);
        for (Onnx.AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        graph.addNode(n);
    }

    /** A float32 initializer of the given shape, data in row-major order. */
    String floatConstant(String name, float[] data, long... dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("initializer '" + name + "': " + data.length + " values for shape "
                    + java.util.Arrays.toString(dims));
        }
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        addInitializer(name, Onnx.TensorProto.DataType.FLOAT, b.array(), dims);
        return name;
    }

    /** A shared int64 constant (1-D, or a scalar when {@code scalar}). */
    String int64(long... values) {
        return int64(false, values);
    }

    String int64Scalar(long value) {
        return int64(true, value);
    }

    private String int64(boolean scalar, long... values) {
        String key = (scalar ? "s" : "v") + java.util.Arrays.toString(values);
        String existing = int64Constants.get(key);
        if (existing != null) {
            return existing;
        }
        String name = "const.i64." + int64Constants.size();
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        addInitializer(name, Onnx.TensorProto.DataType.INT64, b.array(),
                scalar ? new long[0] : new long[] {values.length});
        int64Constants.put(key, name);
        return name;
    }

    private void addInitializer(String name, Onnx.TensorProto.DataType type, byte[] raw, long[] dims) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(type.getNumber())
                .setRawData(ByteString.copyFrom(raw));
        for (long d : dims) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        initializerNames.add(name);
    }

    /** A graph input or output of element type float32; a dimension is a size ({@link Long}) or a name. */
    private static Onnx.ValueInfoProto valueInfo(String name, Object... dims) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
        for (Object d : dims) {
            Onnx.TensorShapeProto.Dimension.Builder dim = Onnx.TensorShapeProto.Dimension.newBuilder();
            if (d instanceof String s) {
                dim.setDimParam(s);
            } else {
                dim.setDimValue(((Number) d).longValue());
            }
            shape.addDim(dim);
        }
        Onnx.TypeProto type = Onnx.TypeProto.newBuilder().setTensorType(Onnx.TypeProto.Tensor.newBuilder()
                .setElemType(Onnx.TensorProto.DataType.FLOAT.getNumber()).setShape(shape)).build();
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }

    void input(String name, Object... dims) {
        graph.addInput(valueInfo(name, dims));
    }

    void output(String name, Object... dims) {
        graph.addOutput(valueInfo(name, dims));
    }

    Onnx.GraphProto build() {
        return graph.build();
    }

    static Onnx.AttributeProto attr(String name, long value) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.INT)
                .setI(value).build();
    }

    static Onnx.AttributeProto attr(String name, long... values) {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name)
                .setType(Onnx.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    static Onnx.AttributeProto attrFloat(String name, float value) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.FLOAT)
                .setF(value).build();
    }
}

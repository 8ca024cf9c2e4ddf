package io.github.tsm4j.core.conv;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCRATCHPAD;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Pointer;

/**
 * One oneDNN primitive bound to its argument memories (whose data handles the caller sets before each run) and to
 * the calling thread's scratchpad ({@link OneDnn#scratchpad}); the primitive must have been created with
 * {@link OneDnn#userScratchpad()} attributes.
 */
public final class OneDnnCall {

    private final primitive primitive;
    private final IntMemoryMap args;
    private final memory scratch;
    private final long scratchBytes;

    /**
     * @param primitive the primitive
     * @param args its arguments
     * @param scratchpad its primitive descriptor's scratchpad descriptor
     */
    public OneDnnCall(primitive primitive, IntMemoryMap args, memory.desc scratchpad) {
        this.primitive = primitive;
        this.args = args;
        this.scratchBytes = scratchpad.get_size();
        this.scratch = scratchBytes > 0 ? new memory(scratchpad, OneDnn.engine(), new Pointer()) : null;
        if (scratch != null) {
            args.put(DNNL_ARG_SCRATCHPAD, scratch);
        }
    }

    /**
     * A reorder from one memory to another (both bound by the caller).
     *
     * @return the call
     */
    public static OneDnnCall reorder(memory from, memory to) {
        reorder.primitive_desc pd = new reorder.primitive_desc(from, to, OneDnn.userScratchpad(), false);
        IntMemoryMap args = new IntMemoryMap();
        args.put(DNNL_ARG_FROM, from);
        args.put(DNNL_ARG_TO, to);
        return new OneDnnCall(new reorder(pd), args, pd.scratchpad_desc());
    }

    /** Runs the primitive on the stream (the caller waits). */
    public void run(stream s) {
        if (scratch != null) {
            scratch.set_data_handle(OneDnn.scratchpad(scratchBytes));
        }
        primitive.execute(s, args);
    }
}

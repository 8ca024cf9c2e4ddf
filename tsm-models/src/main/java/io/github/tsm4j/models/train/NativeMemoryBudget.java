package io.github.tsm4j.models.train;

import java.util.function.LongSupplier;
import io.github.tsm4j.core.ExecutionOptions;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the native memory held by dead ND4J arrays during training and evaluation.
 *
 * <p>Why it is needed: an INDArray allocated outside a DL4J workspace owns native (off-heap) memory
 * that ND4J frees only after the garbage collector has found its Java object unreachable
 * ({@code DeallocatorService}). DL4J 1.0.0-M2.1 allocates thousands of such arrays per training step
 * outside the workspaces — the updater's per-parameter views and regularisation
 * ({@code UpdaterBlock.applyRegularizationAllVariables}), the temporaries of DL4J's own
 * {@code BatchNormalization} (NCHW networks), reductions and scalars — and every detached output or
 * freshly created input batch is one more. Their Java objects are small, so the heap-driven collector
 * runs rarely compared to the native memory they pin; arrays that survive one young collection are
 * freed only by an old-generation cycle, and their bookkeeping ({@code DeallocatableReference}, ids,
 * map entries, about 1 KB of heap each) makes G1 grow the heap as well. Measured on {@code tsm demo}
 * (NCHW, 6,000 steps): 13.0 GB peak RSS; a 6-epoch run: 5.5 GB, of which ~2 GB were dead native
 * buffers and ~3.4 GB Java heap holding their bookkeeping.
 *
 * <p>What it does: {@link #afterStep()} reads libnd4j's count of allocated host bytes (one native call,
 * no allocation) and, when it has grown by more than the budget above the lowest count seen since the
 * last collection, requests a collection ({@link System#gc()}), so that ND4J's deallocator threads free
 * the dead buffers. The lowest count tracks what is really alive (parameters, updater state, cached
 * data); the budget is what may be dead at any time. The default ({@value #DEFAULT_BUDGET_MB} MB) is set
 * by {@link ExecutionOptions#nativeGcBudgetMB()} (0 turns the collections off). The same rule
 * applies to the number of arrays ND4J's deallocator tracks (views own no native bytes, but each costs
 * about 1 KB of heap until collected: DL4J's updater makes ~800 per step for a ResNet-18): at most
 * {@value #DEFAULT_ARRAY_BUDGET} above the lowest count, {@link ExecutionOptions#nativeGcBudgetArrays()} (0: off).
 * Results do not depend on either: a collection frees only unreachable arrays. With
 * {@code -XX:+DisableExplicitGC} it has no effect.
 *
 * <p>Not thread-safe: one per training loop.
 */
public final class NativeMemoryBudget {
    private static final Logger LOG = LoggerFactory.getLogger(NativeMemoryBudget.class);

    /** Default budget in megabytes ({@link ExecutionOptions#DEFAULT_GC_BUDGET_MB}). */
    public static final long DEFAULT_BUDGET_MB = ExecutionOptions.DEFAULT_GC_BUDGET_MB;
    /** Default budget of arrays tracked by ND4J's deallocator above the lowest count. */
    public static final long DEFAULT_ARRAY_BUDGET = ExecutionOptions.DEFAULT_GC_BUDGET_ARRAYS;

    private final long budgetBytes;
    private final LongSupplier allocated;
    private final Runnable collector;
    private final long budgetArrays;
    private final LongSupplier tracked;
    private long low = Long.MAX_VALUE;
    private long lowArrays = Long.MAX_VALUE;
    private int collections;

    /**
     * A budget over libnd4j's host-allocation counter that collects with {@link System#gc()}.
     *
     * @param budgetBytes dead native bytes allowed before a collection; 0 never collects
     */
    public NativeMemoryBudget(long budgetBytes) {
        this(budgetBytes, DEFAULT_ARRAY_BUDGET);
    }

    /**
     * A budget over libnd4j's host-allocation counter and ND4J's tracked-array count that collects with
     * {@link System#gc()}.
     *
     * @param budgetBytes dead native bytes allowed before a collection; 0 never collects
     * @param budgetArrays tracked arrays allowed above the lowest count; 0 = not watched
     */
    public NativeMemoryBudget(long budgetBytes, long budgetArrays) {
        this(budgetBytes, NativeMemoryBudget::allocatedBytes, System::gc, budgetArrays,
                NativeMemoryBudget::trackedArrays);
    }

    /**
     * The budget the options ask for ({@link ExecutionOptions#nativeGcBudgetMB()},
     * {@link ExecutionOptions#nativeGcBudgetArrays()}).
     *
     * @param options execution options
     * @return a new budget
     */
    public static NativeMemoryBudget of(ExecutionOptions options) {
        return new NativeMemoryBudget(options.nativeGcBudgetBytes(), options.nativeGcBudgetArrays());
    }

    /**
     * For tests: any counter and collector.
     *
     * @param budgetBytes dead bytes allowed before a collection, at least 0 (0 never collects)
     * @param allocated the currently allocated bytes
     * @param collector what a collection does
     */
    NativeMemoryBudget(long budgetBytes, LongSupplier allocated, Runnable collector) {
        this(budgetBytes, allocated, collector, 0, () -> 0);
    }

    /**
     * For tests: any counters and collector.
     *
     * @param budgetBytes dead bytes allowed before a collection, at least 0 (0 never collects)
     * @param allocated the currently allocated bytes
     * @param collector what a collection does
     * @param budgetArrays tracked arrays allowed above the lowest count, at least 0 (0: not watched)
     * @param tracked the number of tracked arrays, negative when unknown
     */
    NativeMemoryBudget(long budgetBytes, LongSupplier allocated, Runnable collector, long budgetArrays,
            LongSupplier tracked) {
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("NativeMemoryBudget budget must be >= 0 bytes (0 = never collect), found "
                    + budgetBytes);
        }
        if (budgetArrays < 0) {
            throw new IllegalArgumentException("NativeMemoryBudget array budget must be >= 0 (0 = not watched), found "
                    + budgetArrays);
        }
        this.budgetBytes = budgetBytes;
        this.allocated = allocated;
        this.collector = collector;
        this.budgetArrays = budgetArrays;
        this.tracked = tracked;
    }

    /** ND4J's deallocator map (internal field of DeallocatorService), or null when it cannot be read. */
    private static final java.util.Map<?, ?> REFERENCES = referenceMap();

    private static java.util.Map<?, ?> referenceMap() {
        try {
            Object service = Nd4j.getDeallocatorService();
            java.lang.reflect.Field f = service.getClass().getDeclaredField("referenceMap");
            f.setAccessible(true);
            return f.get(service) instanceof java.util.Map<?, ?> m ? m : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("ND4J's tracked arrays cannot be counted ({}); only native bytes are watched", e.toString());
            return null;
        }
    }

    /**
     * Arrays whose buffers ND4J's deallocator tracks (live, or dead and not yet collected), or -1 when this
     * ND4J version does not let them be counted.
     *
     * @return tracked arrays, or -1
     */
    public static long trackedArrays() {
        return REFERENCES == null ? -1 : REFERENCES.size();
    }

    /**
     * Bytes of host memory that libnd4j currently has allocated for arrays outside workspaces (live and
     * not yet freed), as counted by its memory counter; workspaces are not included.
     *
     * @return allocated bytes
     */
    public static long allocatedBytes() {
        return Nd4j.getEnvironment().getDeviceCouner(0);
    }

    /** @return the budget in bytes (0: never collects) */
    public long budgetBytes() {
        return budgetBytes;
    }

    /** @return collections requested so far */
    public int collections() {
        return collections;
    }

    /**
     * Call after each minibatch (training step or evaluation batch): collects when the allocated bytes
     * exceed the lowest count since the last collection by more than the budget.
     *
     * @return true when a collection was requested
     */
    public boolean afterStep() {
        if (budgetBytes == 0) {
            return false;
        }
        long now = allocated.getAsLong();
        low = Math.min(low, now);
        long arrays = budgetArrays > 0 ? tracked.getAsLong() : -1;
        if (arrays >= 0) {
            lowArrays = Math.min(lowArrays, arrays);
        }
        boolean overBytes = now - low > budgetBytes;
        boolean overArrays = arrays >= 0 && arrays - lowArrays > budgetArrays;
        if (!overBytes && !overArrays) {
            return false;
        }
        collections++;
        if (LOG.isDebugEnabled()) {
            LOG.debug("native arrays: {} MB allocated ({} MB above the lowest count since the last collection), {} tracked "
                    + "({} above): collection {}", now >> 20, (now - low) >> 20, arrays, arrays - lowArrays, collections);
        }
        collector.run();
        // ND4J frees the buffers asynchronously after the collection: track the new lows from the next steps on
        low = allocated.getAsLong();
        lowArrays = budgetArrays > 0 ? Math.max(0, tracked.getAsLong()) : Long.MAX_VALUE;
        return true;
    }
}

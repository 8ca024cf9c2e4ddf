package io.github.tsm4j.models.train;

import java.util.function.LongSupplier;
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
 * by the system property {@value #PROPERTY} (megabytes; 0 turns the collections off). Results do not
 * depend on it: a collection frees only unreachable arrays. With {@code -XX:+DisableExplicitGC} it has
 * no effect.
 *
 * <p>Not thread-safe: one per training loop.
 */
public final class NativeMemoryBudget {
    private static final Logger LOG = LoggerFactory.getLogger(NativeMemoryBudget.class);

    /** System property with the budget in megabytes (0: never collect). */
    public static final String PROPERTY = "tsm4j.native.gcBudgetMB";
    /** Default budget in megabytes. */
    public static final long DEFAULT_BUDGET_MB = 256;

    private final long budgetBytes;
    private final LongSupplier allocated;
    private final Runnable collector;
    private long low = Long.MAX_VALUE;
    private int collections;

    /**
     * A budget over libnd4j's host-allocation counter that collects with {@link System#gc()}.
     *
     * @param budgetBytes dead native bytes allowed before a collection; 0 never collects
     */
    public NativeMemoryBudget(long budgetBytes) {
        this(budgetBytes, NativeMemoryBudget::allocatedBytes, System::gc);
    }

    /**
     * For tests: any counter and collector.
     *
     * @param budgetBytes dead bytes allowed before a collection, at least 0 (0 never collects)
     * @param allocated the currently allocated bytes
     * @param collector what a collection does
     */
    NativeMemoryBudget(long budgetBytes, LongSupplier allocated, Runnable collector) {
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("NativeMemoryBudget budget must be >= 0 bytes (0 = never collect), found "
                    + budgetBytes);
        }
        this.budgetBytes = budgetBytes;
        this.allocated = allocated;
        this.collector = collector;
    }

    /**
     * The budget of {@value #PROPERTY}, or {@value #DEFAULT_BUDGET_MB} MB when it is not set.
     *
     * @return a new budget
     * @throws IllegalArgumentException when the property is not a non-negative whole number
     */
    public static NativeMemoryBudget fromSystemProperty() {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.isBlank()) {
            return new NativeMemoryBudget(DEFAULT_BUDGET_MB << 20);
        }
        long mb;
        try {
            mb = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("System property " + PROPERTY + " must be a whole number of megabytes "
                    + "(0 = never collect), found '" + v + "'");
        }
        if (mb < 0) {
            throw new IllegalArgumentException("System property " + PROPERTY + " must be >= 0 megabytes, found " + mb);
        }
        return new NativeMemoryBudget(mb << 20);
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
        if (now < low) {
            low = now;
            return false;
        }
        if (now - low <= budgetBytes) {
            return false;
        }
        collections++;
        if (LOG.isDebugEnabled()) {
            LOG.debug("native arrays: {} MB allocated, {} MB above the lowest count since the last collection: collection {}",
                    now >> 20, (now - low) >> 20, collections);
        }
        collector.run();
        // ND4J frees the buffers asynchronously after the collection: track the new low from the next steps on
        low = allocated.getAsLong();
        return true;
    }
}

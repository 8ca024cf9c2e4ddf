package io.github.tsm4j.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The temporal shift as the paper states it (Lin, Gan, Han, ICCV 2019, Section 3, Figure 1): which channels of
 * frame t are read from which frame. Every kernel of {@link TemporalShift} executes such a plan and nothing else.
 *
 * <p>A plan is a list of {@link Move}s that together cover the channels {@code [0, C)} once: "channels
 * {@code [from, to)} of frame t of a clip take the same channels of frame {@code t + step} of that clip, or zeros
 * where {@code t + step} lies outside {@code [0, T)}". With {@code fold = C / foldDiv}:
 *
 * <pre>
 *   forward BIDIRECTIONAL    [0, fold) ← t+1     [fold, 2·fold) ← t−1     [2·fold, C) ← t
 *   forward UNIDIRECTIONAL   [0, fold) ← t−1     [fold, C) ← t
 *   backward (the adjoint)   the same blocks with every step negated
 *   fold = 0 (C &lt; foldDiv)   [0, C) ← t          (nothing moves, as in the official code)
 * </pre>
 *
 * Frames are {@code [N·T, ...]} with the T frames of a clip contiguous along the first axis; the channel axis is
 * the second (NCHW) or the last (NHWC) one.
 *
 * @param segments frames per clip T, at least 1
 * @param channels C
 * @param fold channels per shifted block, {@code C / foldDiv} (0 when nothing moves)
 * @param moves the blocks in channel order, covering {@code [0, C)} without gaps or overlap, no empty block
 */
public record ShiftPlan(int segments, long channels, int fold, List<Move> moves) {

    /**
     * Channels {@code [from, to)} of frame t take frame {@code t + step} of the same clip (zeros outside the clip).
     *
     * @param from first channel
     * @param to one past the last channel
     * @param step frame offset of the source: −1 (the previous frame), 0 (the frame itself) or +1 (the next)
     */
    public record Move(long from, long to, int step) {

        /** @return the number of channels in the block */
        public long width() {
            return to - from;
        }

        /**
         * The source frame of frame {@code t} of a clip of {@code segments} frames.
         *
         * @param t position in the clip
         * @param segments T
         * @return {@code t + step}, or −1 where that is outside the clip (the block is then zero)
         */
        public int source(int t, int segments) {
            int s = t + step;
            return s >= 0 && s < segments ? s : -1;
        }
    }

    /** Validates the fields; the moves are copied. */
    public ShiftPlan {
        moves = List.copyOf(moves);
        long next = 0;
        for (Move m : moves) {
            if (m.from() != next || m.to() <= m.from()) {
                throw new IllegalArgumentException("ShiftPlan: moves must cover [0, " + channels
                        + ") in order without empty blocks, found " + moves);
            }
            next = m.to();
        }
        if (next != channels || segments < 1) {
            throw new IllegalArgumentException("ShiftPlan: moves must cover [0, " + channels
                    + ") and segments must be >= 1, found " + moves + ", segments " + segments);
        }
    }

    /**
     * The plan of {@link TemporalShift#forward} ({@code adjoint = false}) or {@link TemporalShift#backward}.
     *
     * @param direction which channels move which way
     * @param adjoint false: the shift; true: its adjoint (every step negated)
     * @param channels C
     * @param foldDiv divisor, {@code fold = C / foldDiv}
     * @param segments frames per clip T
     * @return the plan
     */
    public static ShiftPlan of(ShiftDirection direction, boolean adjoint, long channels, int foldDiv, int segments) {
        int fold = TemporalShift.fold(channels, foldDiv);
        int sign = adjoint ? -1 : 1;
        List<Move> moves = new ArrayList<>(3);
        long rest = 0;
        if (fold > 0) {
            switch (direction) {
                case BIDIRECTIONAL -> {
                    moves.add(new Move(0, fold, sign));
                    moves.add(new Move(fold, 2L * fold, -sign));
                    rest = 2L * fold;
                }
                case UNIDIRECTIONAL -> {
                    moves.add(new Move(0, fold, -sign));
                    rest = fold;
                }
            }
        }
        if (rest < channels) {
            moves.add(new Move(rest, channels, 0));
        }
        return new ShiftPlan(segments, channels, fold, moves);
    }
}

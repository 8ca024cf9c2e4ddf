package io.github.tsm4j.data.video;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * Which decoded frame each output frame of a constant-rate ffmpeg extraction shows: a re-implementation
 * of the {@code -vsync cfr}/{@code vscfr} frame selection of the ffmpeg 5.x command line
 * ({@code fftools/ffmpeg.c}: {@code do_video_out} with {@code adjust_frame_pts_to_encoder_tb}), which is
 * what {@code ffmpeg -i V img_%05d.jpg} uses (the image2 muxer has no variable frame rate flag).
 *
 * <p>For each decoded frame, in presentation order: its timestamp (minus the container's start time)
 * in output frame units {@code t} (with ffmpeg's extra fixed-point bits and its 2<sup>−17</sup> nudge
 * away from midpoints), the next output slot {@code n}, {@code delta0 = t − n} and
 * {@code delta = delta0 + d} where {@code d} is one slot, or the frame's packet duration in slots when
 * no video filter is used. A frame is dropped when {@code delta < −1.1}; when {@code delta > 1.1} it
 * fills {@code lrintf(delta)} slots, the first {@code llrintf(delta0 − 0.6)} of them with the previous
 * frame; a frame starting before the next slot is clipped to it. With a single-stream input
 * ({@code vscfr}) the first frame is not repeated to fill the time before it. At the end, the median of
 * the last three "previous frame" counts repeats the last frame.
 *
 * <p>Checked against Debian's ffmpeg 5.1 on committed test videos (variable frame rate, duplicated and
 * dropped frames): {@code ConstantRateTimelineTest}.
 */
public final class ConstantRateTimeline {

    /**
     * Inputs, all in the stream's time base except {@code startTimeMicros}.
     *
     * @param pts presentation timestamps of the decodable frames, ascending (presentation order)
     * @param durations packet duration of each frame (0 when unknown)
     * @param timeBaseNum stream time base numerator
     * @param timeBaseDen stream time base denominator
     * @param rateNum output frame rate numerator (ffmpeg's {@code av_guess_frame_rate})
     * @param rateDen output frame rate denominator
     * @param startTimeMicros the container's start time in microseconds (subtracted as ffmpeg does), or 0
     * @param singleStream whether the input file has one stream only (ffmpeg then uses {@code vscfr})
     * @param usePacketDurations false when the extraction used a video filter ({@code -vf}), true otherwise
     */
    public record Input(long[] pts, long[] durations, long timeBaseNum, long timeBaseDen, long rateNum,
            long rateDen, long startTimeMicros, boolean singleStream, boolean usePacketDurations) {
        public Input {
            if (pts.length != durations.length) {
                throw new IllegalArgumentException("pts and durations must have the same length, found "
                        + pts.length + " and " + durations.length);
            }
            if (timeBaseNum <= 0 || timeBaseDen <= 0) {
                throw new IllegalArgumentException("time base must be positive, found " + timeBaseNum + "/" + timeBaseDen);
            }
            if (rateNum <= 0 || rateDen <= 0) {
                throw new IllegalArgumentException("frame rate must be positive, found " + rateNum + "/" + rateDen);
            }
        }
    }

    private ConstantRateTimeline() {}

    private static final long AV_TIME_BASE = 1_000_000L;

    /**
     * The source frame (index into {@link Input#pts}) shown by each output frame.
     *
     * @param in the stream description
     * @return one source index per output frame
     */
    public static int[] sourceFrames(Input in) {
        int n = in.pts().length;
        int[] out = new int[Math.max(16, n + n / 2 + 8)];
        int count = 0;
        // encoder time base = 1 / rate
        long encNum = in.rateDen();
        long encDen = in.rateNum();
        int extraBits = Math.max(0, Math.min(16, 29 - log2(encDen)));
        long offset = rescale(-in.startTimeMicros(), 1, AV_TIME_BASE, in.timeBaseNum(), in.timeBaseDen());
        double rate = (double) in.rateNum() / in.rateDen();
        double encTb = (double) encNum / encDen;
        double streamTb = (double) in.timeBaseNum() / in.timeBaseDen();
        double slot = 1 / (rate * encTb);
        long syncOpts = 0;
        int[] lastNb0 = new int[3];
        int last = -1;
        for (int s = 0; s < n; s++) {
            long pts = in.pts()[s] + offset;
            double syncIpts = (double) rescale(pts, in.timeBaseNum(), in.timeBaseDen(), encNum, encDen << extraBits);
            syncIpts /= 1 << extraBits;
            syncIpts += (syncIpts > 0 ? 1 : -1) * 1.0 / (1 << 17);
            double duration = slot;
            if (in.usePacketDurations()) {
                long d = lrintf(in.durations()[s] * streamTb / encTb);
                if (d > 0) {
                    duration = d;
                }
            }
            double delta0 = syncIpts - syncOpts;
            double delta = delta0 + duration;
            int nb0 = 0;
            int nb = 1;
            if (delta0 < 0 && delta > 0) {
                syncIpts = syncOpts;
                duration += delta0;
                delta0 = 0;
            }
            if (in.singleStream() && count == 0 && delta0 >= 0.5) {
                delta = duration;
                delta0 = 0;
                syncOpts = Math.round(syncIpts); // llrint; never a tie after the nudge
            }
            if (delta < -1.1) {
                nb = 0;
            } else if (delta > 1.1) {
                nb = (int) lrintf(delta);
                if (delta0 > 1.1) {
                    nb0 = (int) lrintf(delta0 - 0.6);
                }
            }
            nb0 = Math.min(nb0, nb);
            lastNb0[2] = lastNb0[1];
            lastNb0[1] = lastNb0[0];
            lastNb0[0] = nb0;
            for (int i = 0; i < nb; i++) {
                if (count == out.length) {
                    out = Arrays.copyOf(out, out.length * 2);
                }
                out[count++] = i < nb0 && last >= 0 ? last : s;
                syncOpts++;
            }
            last = s;
        }
        if (last >= 0) {
            int flush = median(lastNb0[0], lastNb0[1], lastNb0[2]);
            for (int i = 0; i < flush; i++) {
                if (count == out.length) {
                    out = Arrays.copyOf(out, out.length * 2);
                }
                out[count++] = last;
            }
        }
        return Arrays.copyOf(out, count);
    }

    /** C's {@code lrintf}: to float, then to the nearest integer, ties to even. */
    static long lrintf(double v) {
        return (long) Math.rint((float) v);
    }

    private static int median(int a, int b, int c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }

    private static int log2(long v) {
        return 63 - Long.numberOfLeadingZeros(v);
    }

    /** {@code av_rescale_q(a, bNum/bDen, cNum/cDen)}: round to nearest, halves away from zero. */
    static long rescale(long a, long bNum, long bDen, long cNum, long cDen) {
        BigInteger num = BigInteger.valueOf(a).multiply(BigInteger.valueOf(bNum)).multiply(BigInteger.valueOf(cDen));
        BigInteger den = BigInteger.valueOf(cNum).multiply(BigInteger.valueOf(bDen));
        BigInteger half = den.shiftRight(1);
        if (num.signum() >= 0) {
            return num.add(half).divide(den).longValueExact();
        }
        return num.negate().add(half).divide(den).negate().longValueExact();
    }
}

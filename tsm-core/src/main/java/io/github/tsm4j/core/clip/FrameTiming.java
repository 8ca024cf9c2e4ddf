package io.github.tsm4j.core.clip;

/**
 * What a frame index of a video file means.
 *
 * <p>The official TSM pipeline never reads video files: its frames come from
 * {@code ffmpeg -i V -threads 1 -q:v 0 img_%05d.jpg} (tools/vid2img_*.py), a <b>constant-rate</b> extraction
 * that shows, in output frame {@code i}, whichever decoded frame ffmpeg's {@code -vsync cfr} logic puts
 * at time {@code i / rate}, duplicating frames across gaps and dropping frames that come too close
 * together. {@link #CONSTANT_RATE} reproduces that numbering, so a video file and its official frame
 * folder yield the same moments for the same indices.
 */
public enum FrameTiming {
    /**
     * Index {@code i} is output frame {@code i} of ffmpeg's constant-rate extraction at the stream's
     * nominal rate ({@code av_guess_frame_rate}), with the frame-selection rule of the ffmpeg 5.x command
     * line without a video filter ({@code io.github.tsm4j.data.video.ConstantRateTimeline}). The default.
     */
    CONSTANT_RATE,
    /**
     * As {@link #CONSTANT_RATE}, for extractions made with a video filter (the official
     * {@code vid2img_kinetics.py} / {@code vid2img_sthv2.py} use {@code -vf scale=-1:N}): ffmpeg then
     * ignores the frames' packet durations, which moves frames next to timestamp gaps by up to one slot.
     */
    CONSTANT_RATE_FILTERED,
    /**
     * Index {@code i} is the {@code i}-th frame the decoder returns (presentation order), ignoring
     * timestamps: what tsm4j did before constant-rate sampling.
     */
    DECODE_ORDER
}

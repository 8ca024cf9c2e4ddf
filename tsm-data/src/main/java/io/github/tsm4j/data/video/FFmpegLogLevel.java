package io.github.tsm4j.data.video;

import org.bytedeco.ffmpeg.global.avutil;

/**
 * Sets FFmpeg's log level once: {@code AV_LOG_QUIET} unless the system property
 * {@code tsm4j.ffmpeg.log=true} is set (broken inputs and every encoder would otherwise print to stderr).
 */
final class FFmpegLogLevel {
    private FFmpegLogLevel() {}

    static {
        try {
            // JavaCV sets its own level when these classes load; load them first so that ours stays
            org.bytedeco.javacv.FFmpegFrameGrabber.tryLoad();
            org.bytedeco.javacv.FFmpegFrameRecorder.tryLoad();
        } catch (Exception e) {
            throw new IllegalStateException("cannot load the FFmpeg natives of JavaCV", e);
        }
        if (!Boolean.getBoolean("tsm4j.ffmpeg.log")) {
            avutil.av_log_set_level(avutil.AV_LOG_QUIET);
        }
    }

    /** Triggers the static initialiser. */
    static void init() {
        // the work is done once, in the static initialiser
    }
}

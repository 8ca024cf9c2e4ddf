package io.github.tsm4j.data.video;

import org.bytedeco.ffmpeg.global.avutil;

/**
 * Sets FFmpeg's log level once: {@code AV_LOG_FATAL} unless the system property
 * {@code tsm4j.ffmpeg.log=true} is set (broken inputs and every encoder would otherwise print to stderr).
 */
final class FFmpegLogLevel {
    private FFmpegLogLevel() {}

    static {
        if (!Boolean.getBoolean("tsm4j.ffmpeg.log")) {
            avutil.av_log_set_level(avutil.AV_LOG_FATAL);
        }
    }

    /** Triggers the static initialiser. */
    static void init() {
        // the work is done once, in the static initialiser
    }
}

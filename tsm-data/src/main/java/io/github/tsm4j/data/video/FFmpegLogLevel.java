package io.github.tsm4j.data.video;

import org.bytedeco.ffmpeg.global.avutil;

/**
 * FFmpeg's log level, which is process-wide state inside the FFmpeg library: {@code AV_LOG_QUIET} from the first
 * use of tsm-data's readers and writers (broken inputs and every encoder would otherwise print to stderr), or
 * FFmpeg's own messages after {@link #showFFmpegLog()} (the {@code tsm} CLI calls it for
 * {@code -Dtsm4j.ffmpeg.log=true}; tsm-data itself reads no system property).
 */
public final class FFmpegLogLevel {
    private FFmpegLogLevel() {}

    static {
        try {
            // JavaCV sets its own level when these classes load; load them first so that ours stays
            org.bytedeco.javacv.FFmpegFrameGrabber.tryLoad();
            org.bytedeco.javacv.FFmpegFrameRecorder.tryLoad();
        } catch (Exception e) {
            throw new IllegalStateException("cannot load the FFmpeg natives of JavaCV", e);
        }
        avutil.av_log_set_level(avutil.AV_LOG_QUIET);
    }

    /** Triggers the static initialiser. */
    static void init() {
        // the work is done once, in the static initialiser
    }

    /** Lets FFmpeg print its own messages (level {@code AV_LOG_INFO}) to stderr from now on, for diagnosis. */
    public static void showFFmpegLog() {
        avutil.av_log_set_level(avutil.AV_LOG_INFO);
    }
}

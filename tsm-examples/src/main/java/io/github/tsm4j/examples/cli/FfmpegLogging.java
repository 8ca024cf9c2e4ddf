package io.github.tsm4j.examples.cli;

import io.github.tsm4j.examples.TsmCli;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.FrameRecorder;
import picocli.CommandLine;

/** FFmpeg writes its own log to stderr: errors only, FFmpeg's full log with {@code -v}. */
final class FfmpegLogging {
    private FfmpegLogging() {}

    static void configure(CommandLine cmd) {
        try {
            // JavaCV sets its own level when its FFmpeg classes load: load them first so that ours stays
            FFmpegFrameGrabber.tryLoad();
            FFmpegFrameRecorder.tryLoad();
        } catch (FrameGrabber.Exception | FrameRecorder.Exception e) {
            throw new IllegalStateException("cannot load the FFmpeg natives of JavaCV: " + e.getMessage(), e);
        }
        avutil.av_log_set_level(TsmCli.isVerbose(cmd) ? avutil.AV_LOG_INFO : avutil.AV_LOG_ERROR);
    }
}

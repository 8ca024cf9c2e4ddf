package io.github.tsm4j.examples.cli;

import io.github.tsm4j.examples.TsmCli;
import org.bytedeco.ffmpeg.global.avutil;
import picocli.CommandLine;

/** FFmpeg writes its own log to stderr: errors only, unless {@code -v}. */
final class FfmpegLogging {
    private FfmpegLogging() {}

    static void configure(CommandLine cmd) {
        avutil.av_log_set_level(TsmCli.isVerbose(cmd) ? avutil.AV_LOG_INFO : avutil.AV_LOG_ERROR);
    }
}

/**
 * Video readers: {@link io.github.tsm4j.data.video.FFmpegVideoReader} decodes container files with
 * JavaCV/FFmpeg, {@link io.github.tsm4j.data.video.FrameFolderReader} reads folders of extracted JPEG
 * frames. Both return exact frames by 0-based index as {@link io.github.tsm4j.data.image.RgbFrame}s.
 */
package io.github.tsm4j.data.video;

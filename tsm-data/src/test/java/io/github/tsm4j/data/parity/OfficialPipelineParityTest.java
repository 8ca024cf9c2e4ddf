package io.github.tsm4j.data.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.tsm4j.core.InputSpec;
import io.github.tsm4j.data.iterator.ClipLoader;
import io.github.tsm4j.data.iterator.LoadedClip;
import io.github.tsm4j.data.sampling.FrameSampler;
import io.github.tsm4j.core.clip.SamplingMode;
import io.github.tsm4j.data.transform.ClipTransform;
import io.github.tsm4j.core.clip.TestCrop;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tsm4j's test clips from frame folders equal the official {@code test_models.py} pipeline's tensors
 * (TSNDataSet test indices, PIL decoding, GroupScale = Pillow bilinear, GroupCenterCrop / GroupFullResSample /
 * GroupOverSample, --full_res, --twice_sample, GroupNormalize), made by scripts/make_pipeline_fixtures.py with
 * torch/torchvision/Pillow: the same sampled indices, the same pixel bytes after resize and crop, and
 * normalised values within 1e-6 (tsm4j rounds {@code (v/255 - mean)/std} once from double, PyTorch rounds
 * three float32 steps).
 */
class OfficialPipelineParityTest {
    @TempDir
    Path dir;

    private Path resource(String rel) throws IOException {
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        try (InputStream in = getClass().getResourceAsStream("/official-pipeline/" + rel)) {
            Files.copy(in, p);
        }
        return p;
    }

    @Test
    void tensorsFromFrameFoldersHaveTheOfficialPixelBytesAndValuesWithinFloatRounding() throws IOException {
        JsonNode index;
        try (InputStream in = getClass().getResourceAsStream("/official-pipeline/cases.json")) {
            index = new ObjectMapper().readTree(in);
        }
        int crop = index.get("input_size").asInt();
        int scale = index.get("scale_size").asInt();
        List<String> checked = new ArrayList<>();
        for (JsonNode c : index.get("cases")) {
            String folder = c.get("folder").asText();
            for (int f = 1; f <= c.get("frames").asInt(); f++) {
                Path p = dir.resolve(folder).resolve(String.format("img_%05d.jpg", f));
                if (!Files.exists(p)) {
                    resource(folder + "/" + p.getFileName());
                }
            }
            int segments = c.get("segments").asInt();
            boolean fullRes = c.get("full_res").asBoolean();
            TestCrop testCrop = switch (c.get("crops").asInt()) {
                case 1 -> fullRes ? TestCrop.FULL_RES_CENTRE : TestCrop.CENTRE;
                case 3 -> fullRes ? TestCrop.FULL_RES_THREE : TestCrop.THREE;
                case 10 -> TestCrop.TEN;
                default -> throw new IllegalStateException(c.toString());
            };
            InputSpec spec = new InputSpec(segments, crop, scale, InputSpec.IMAGENET_MEAN, InputSpec.IMAGENET_STD);
            FrameSampler sampler = FrameSampler.of(segments, c.get("twice").asBoolean() ? SamplingMode.TWICE : SamplingMode.UNIFORM);
            ClipLoader loader = new ClipLoader(sampler, ClipTransform.test(spec, testCrop));
            LoadedClip clip = loader.loadClip(dir.resolve(folder), null);
            String what = c.get("file").asText() + " " + c;
            int[] want = new int[c.get("indices").size()];
            for (int i = 0; i < want.length; i++) {
                want[i] = c.get("indices").get(i).asInt();
            }
            assertArrayEquals(want, clip.indices(), what);
            int side = c.get("shape").get(2).asInt();
            assertEquals(side, loader.frameSide(), what);
            assertEquals(c.get("shape").get(0).asInt(), clip.frames(), what);
            byte[] raw = getClass().getResourceAsStream("/official-pipeline/" + c.get("file").asText()).readAllBytes();
            float[] official = new float[raw.length / 4];
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(official);
            assertSameBytesAndCloseValues(official, clip.pixels(), side, what);
            checked.add(c.get("file").asText());
        }
        assertEquals(7, checked.size());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(3, s.count(), "frame folders");
        }
    }

    /**
     * The official tensor is PyTorch's float32 {@code ((float) v / 255 - mean) / std}; every value must be that of
     * exactly one byte v (which proves the fixture's semantics), the same byte tsm4j had after its resize and crop,
     * and tsm4j's value (computed in double, rounded once) within 1e-6 of it.
     */
    static void assertSameBytesAndCloseValues(float[] official, float[] ours, int side, String what) {
        assertEquals(official.length, ours.length, what);
        int plane = side * side;
        int differ = 0;
        float maxDiff = 0;
        for (int i = 0; i < official.length; i++) {
            int c = (i / plane) % 3;
            int vo = byteOf(official[i], c, true);
            int vt = byteOf(ours[i], c, false);
            if (vo < 0 || vt != vo) {
                throw new AssertionError(what + ": element " + i + " official " + official[i] + " (byte " + vo
                        + ") vs tsm4j " + ours[i] + " (byte " + vt + ")");
            }
            float d = Math.abs(official[i] - ours[i]);
            // PyTorch's float32 steps round v/255 - mean with an error of up to ulp(mean)/std before dividing
            if (d > 1e-6f) {
                throw new AssertionError(what + ": element " + i + " differs by " + d + " > 1e-6");
            }
            maxDiff = Math.max(maxDiff, d);
            differ += d > 0 ? 1 : 0;
        }
        assertTrue(differ < official.length, what + ": some values equal exactly");
        System.out.printf("%s: %d of %d values differ, max %.3g%n", what.substring(0, what.indexOf(' ')), differ,
                official.length, maxDiff);
    }

    private static int byteOf(float value, int channel, boolean pytorch) {
        double m = InputSpec.IMAGENET_MEAN.get(channel);
        double s = InputSpec.IMAGENET_STD.get(channel);
        for (int v = 0; v < 256; v++) {
            float f = pytorch ? ((float) v / 255f - (float) m) / (float) s : (float) ((v / 255.0 - m) / s);
            if (f == value) {
                return v;
            }
        }
        return -1;
    }

    @Test
    void fromTheVideoFileTheSameFramesAndAtMostOneGreyLevelFromTheOfficialPipelineOnLosslessFrames() throws IOException {
        JsonNode index;
        try (InputStream in = getClass().getResourceAsStream("/official-pipeline/cases.json")) {
            index = new ObjectMapper().readTree(in);
        }
        int crop = index.get("input_size").asInt();
        int scale = index.get("scale_size").asInt();
        assertEquals(2, index.get("video_cases").size());
        Path video = resource("wide.mp4");
        int n = index.get("video_cases").get(0).get("frames").asInt();
        // decoded pixels vs ffmpeg's PNG extraction (official command, lossless output)
        int maxPixel = 0;
        try (io.github.tsm4j.data.video.VideoReader r = io.github.tsm4j.data.video.VideoReader.open(video)) {
            assertEquals(n, r.frameCount());
            for (int i = 0; i < n; i++) {
                io.github.tsm4j.data.image.RgbFrame got = r.read(new int[] {i}).get(0);
                io.github.tsm4j.data.image.RgbFrame png = io.github.tsm4j.data.video.FrameFolderReader.load(
                        resource(String.format("wide-png/img_%05d.png", i + 1)), 0);
                for (int k = 0; k < got.pixels().length; k++) {
                    maxPixel = Math.max(maxPixel, Math.abs((got.pixels()[k] & 0xFF) - (png.pixels()[k] & 0xFF)));
                }
            }
        }
        assertTrue(maxPixel <= 1, "decoded vs PNG: " + maxPixel + " grey levels");
        for (JsonNode c : index.get("video_cases")) {
            int segments = c.get("segments").asInt();
            boolean fullRes = c.get("full_res").asBoolean();
            TestCrop testCrop = c.get("crops").asInt() == 1 ? TestCrop.CENTRE : fullRes ? TestCrop.FULL_RES_THREE : TestCrop.THREE;
            InputSpec spec = new InputSpec(segments, crop, scale, InputSpec.IMAGENET_MEAN, InputSpec.IMAGENET_STD);
            ClipLoader loader = new ClipLoader(FrameSampler.of(segments, SamplingMode.UNIFORM), ClipTransform.test(spec, testCrop));
            LoadedClip clip = loader.loadClip(video, null);
            int[] want = new int[c.get("indices").size()];
            for (int i = 0; i < want.length; i++) {
                want[i] = c.get("indices").get(i).asInt();
            }
            assertArrayEquals(want, clip.indices(), c.toString());
            byte[] raw = getClass().getResourceAsStream("/official-pipeline/" + c.get("file").asText()).readAllBytes();
            float[] official = new float[raw.length / 4];
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(official);
            assertEquals(official.length, clip.pixels().length);
            int side = loader.frameSide();
            int plane = side * side;
            double maxGrey = 0;
            for (int i = 0; i < official.length; i++) {
                int ch = (i / plane) % 3;
                maxGrey = Math.max(maxGrey, Math.abs(official[i] - clip.pixels()[i]) * InputSpec.IMAGENET_STD.get(ch) * 255);
            }
            System.out.printf("video case %s: decoded vs PNG max %d, tensors max %.4f grey levels%n", c.get("file").asText(),
                    maxPixel, maxGrey);
            assertTrue(maxGrey <= 1.0001, c.get("file").asText() + ": " + maxGrey + " grey levels");
        }
    }
}

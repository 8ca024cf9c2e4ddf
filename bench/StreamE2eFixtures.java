// Writes the inputs of bench/stream_e2e.sh: an untrained online TSM-MobileNetV2 at 224 px (uni-directional
// shift, NHWC, 27 classes as the Jester demo) and a generated 640x480 MPEG-4 clip. Run with the shaded jar
// on the class path (Java source-file mode):
//   java -cp tsm-examples/target/tsm.jar bench/StreamE2eFixtures.java OUT_DIR [FRAMES]
// Speed does not depend on the weights' values, so random weights measure the same as trained ones.
import io.github.tsm4j.core.ShiftDirection;
import io.github.tsm4j.data.image.RgbFrame;
import io.github.tsm4j.data.video.VideoWriter;
import io.github.tsm4j.models.Backbone;
import io.github.tsm4j.models.TsmConfig;
import io.github.tsm4j.models.TsmModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;

public class StreamE2eFixtures {
    public static void main(String[] args) throws Exception {
        Path out = Files.createDirectories(Path.of(args[0]));
        int frames = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int classes = 27;
        TsmConfig config = TsmConfig.builder(Backbone.MOBILENET_V2, classes)
                .direction(ShiftDirection.UNIDIRECTIONAL).dataFormat(CNN2DFormat.NHWC).build();
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("command", "bench/StreamE2eFixtures.java");
        source.put("weights", "random (benchmark only)");
        TsmModel.create(config, TsmModel.defaultLabels(classes))
                .withSource(source)
                .save(out.resolve("mbv2-online.zip"), false);
        // 640x480 at 30 fps: a moving diagonal gradient with a square, so every frame differs
        int w = 640, h = 480;
        List<RgbFrame> video = new ArrayList<>(frames);
        for (int t = 0; t < frames; t++) {
            byte[] px = new byte[w * h * 3];
            int sx = (t * 7) % (w - 80), sy = (t * 3) % (h - 80);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int i = (y * w + x) * 3;
                    boolean square = x >= sx && x < sx + 80 && y >= sy && y < sy + 80;
                    px[i] = (byte) (square ? 240 : (x + t * 4) & 0xff);
                    px[i + 1] = (byte) (square ? 30 : (y + t * 2) & 0xff);
                    px[i + 2] = (byte) (square ? 30 : ((x + y) / 4) & 0xff);
                }
            }
            video.add(new RgbFrame(w, h, px));
        }
        VideoWriter.write(out.resolve("clip640.mp4"), video, 30, VideoWriter.Codec.MPEG4_MP4);
        System.out.println("wrote " + out.resolve("mbv2-online.zip") + " and " + out.resolve("clip640.mp4")
                + " (" + frames + " frames, 640x480, 30 fps)");
    }
}

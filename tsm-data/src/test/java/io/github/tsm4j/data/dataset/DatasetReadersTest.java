package io.github.tsm4j.data.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetReadersTest {
    @TempDir
    Path dir;

    private Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, text);
    }

    @Test
    void somethingV1AndJesterReadSemicolonCsvWithFrameFolders() throws IOException {
        Path labels = file("jester-v1-labels.csv", "Swiping Left\nSwiping Right\nNo gesture\n");
        Path train = file("jester-v1-train.csv", "34870;Swiping Right\n56557;No gesture\n");
        Path test = file("jester-v1-test.csv", "1;\n");
        VideoDataset d = Jester.read(labels, train, dir.resolve("20bn-jester-v1"));
        assertEquals(List.of("Swiping Left", "Swiping Right", "No gesture"), d.classNames());
        assertEquals(List.of(new VideoSample("34870", dir.resolve("20bn-jester-v1/34870"), 1),
                new VideoSample("56557", dir.resolve("20bn-jester-v1/56557"), 2)), d.samples());
        assertEquals(VideoSample.UNLABELLED, SomethingSomethingV1.read(labels, file("t.csv", "9\n"), dir).samples().get(0).label());
        AnnotationException e = assertThrows(AnnotationException.class, () -> Jester.read(labels, test, dir));
        assertEquals(test + ":1: unknown label '' (not in jester-v1-labels.csv)", e.getMessage());
        Path bad = file("bad.csv", "1;Swiping Left\n2;Swiping Up\n");
        assertEquals(bad + ":2: unknown label 'Swiping Up' (not in jester-v1-labels.csv)",
                assertThrows(AnnotationException.class, () -> SomethingSomethingV1.read(labels, bad, dir)).getMessage());
        Path extra = file("extra.csv", "1;Swiping Left;x\n");
        assertEquals(extra + ":1: malformed line \"1;Swiping Left;x\", expected id;label or id",
                assertThrows(AnnotationException.class, () -> Jester.read(labels, extra, dir)).getMessage());
    }

    @Test
    void kineticsBuildsFileNamesAndSortedClassIds() throws IOException {
        Path train = file("kinetics_train.csv", """
                label,youtube_id,time_start,time_end,split
                "passing American football (in game)",-0q9l4lC8SQ,11,21,train
                abseiling,0347ZoDXyP0,14,24,train
                """);
        Files.createDirectories(dir.resolve("videos/abseiling"));
        Files.writeString(dir.resolve("videos/abseiling/0347ZoDXyP0_000014_000024.mp4"), "x");
        VideoDataset d = Kinetics400.read(train, dir.resolve("videos"));
        assertEquals(List.of("abseiling", "passing American football (in game)"), d.classNames());
        assertEquals(new VideoSample("-0q9l4lC8SQ_000011_000021",
                dir.resolve("videos/passing American football (in game)/-0q9l4lC8SQ_000011_000021.mp4"), 1), d.samples().get(0));
        assertEquals(dir.resolve("videos/abseiling/0347ZoDXyP0_000014_000024.mp4"), d.samples().get(1).path());
        Path test = file("kinetics_test.csv", "youtube_id,time_start,time_end,split\nabc,1,11,test\n");
        VideoDataset t = Kinetics400.read(test, dir.resolve("videos"), d.classNames());
        assertEquals(new VideoSample("abc_000001_000011", dir.resolve("videos/abc_000001_000011.mp4"), -1), t.samples().get(0));
        Path val = file("kinetics_val.csv", "label,youtube_id,time_start,time_end,split\nzumba,x,1,2,val\nabseiling,y,1\n");
        assertEquals(val + ":2: unknown label 'zumba'",
                assertThrows(AnnotationException.class, () -> Kinetics400.read(val, dir, d.classNames())).getMessage());
        Path short3 = file("k3.csv", "label,youtube_id,time_start,time_end,split\nabseiling,y,1\n");
        assertEquals(short3 + ":2: malformed line \"abseiling,y,1\", expected 5 comma-separated fields [label, youtube_id, time_start, time_end, split]",
                assertThrows(AnnotationException.class, () -> Kinetics400.read(short3, dir, d.classNames())).getMessage());
    }

    @Test
    void ucf101UsesClassIndAndChecksLabelsAgainstFolders() throws IOException {
        Path classInd = file("classInd.txt", "1 ApplyEyeMakeup\r\n2 ApplyLipstick\r\n");
        Path train = file("trainlist01.txt", "ApplyLipstick/v_ApplyLipstick_g08_c01.avi 2\n");
        Path test = file("testlist01.txt", "ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi\n");
        assertEquals(List.of(new VideoSample("v_ApplyLipstick_g08_c01", dir.resolve("UCF-101/ApplyLipstick/v_ApplyLipstick_g08_c01.avi"), 1)),
                Ucf101.read(classInd, train, dir.resolve("UCF-101")).samples());
        assertEquals(0, Ucf101.read(classInd, test, dir).samples().get(0).label());
        Path wrong = file("wrong.txt", "ApplyLipstick/v.avi 1\n");
        assertEquals(wrong + ":1: label 1 contradicts folder 'ApplyLipstick' (class 2)",
                assertThrows(AnnotationException.class, () -> Ucf101.read(classInd, wrong, dir)).getMessage());
        Path unknown = file("unknown.txt", "Archery/v.avi\n");
        assertEquals(unknown + ":1: unknown label 'Archery' (not in classInd.txt)",
                assertThrows(AnnotationException.class, () -> Ucf101.read(classInd, unknown, dir)).getMessage());
    }

    @Test
    void hmdb51ReadsPerClassSplitFiles() throws IOException {
        file("splits/wave_test_split1.txt", "a.avi 1\nb.avi 2\nc.avi 0\n");
        file("splits/brush_hair_test_split1.txt", "d.avi 2\n");
        file("splits/brush_hair_test_split2.txt", "d.avi 1\n");
        VideoDataset test = Hmdb51.read(dir.resolve("splits"), 1, Hmdb51.Part.TEST, dir.resolve("hmdb"));
        assertEquals(List.of("brush_hair", "wave"), test.classNames());
        assertEquals(List.of(new VideoSample("d", dir.resolve("hmdb/brush_hair/d.avi"), 0),
                new VideoSample("b", dir.resolve("hmdb/wave/b.avi"), 1)), test.samples());
        assertEquals(1, Hmdb51.read(dir.resolve("splits"), 1, Hmdb51.Part.TRAIN, dir).size());
        Path bad = file("splits2/x_test_split1.txt", "a.avi 7\n");
        assertEquals(bad + ":1: malformed line \"a.avi 7\", expected '<video>.avi <0|1|2>'",
                assertThrows(AnnotationException.class, () -> Hmdb51.read(dir.resolve("splits2"), 1, Hmdb51.Part.TRAIN, dir)).getMessage());
    }

    @Test
    void listFileRoundTripsAndRejectsBadLabels() throws IOException {
        List<String> classes = List.of("a", "b");
        Path list = file("train_videofolder.txt", "frames/1 40 1\nframes/2 33 0\n");
        VideoDataset d = TsnListFile.read(list, dir, classes);
        assertEquals(new VideoSample("frames/1", dir.resolve("frames/1"), 1, 40), d.samples().get(0));
        TsnListFile.write(dir.resolve("copy.txt"), dir, d);
        assertEquals(Files.readString(list), Files.readString(dir.resolve("copy.txt")));
        Path bad = file("bad.txt", "frames/1 40 1\nframes/2 33 2\n");
        assertEquals(bad + ":2: unknown label 2, expected 0..1",
                assertThrows(AnnotationException.class, () -> TsnListFile.read(bad, dir, classes)).getMessage());
        Path bad2 = file("bad2.txt", "frames/1 forty 1\n");
        assertEquals(bad2 + ":1: malformed line \"frames/1 forty 1\", expected integer num_frames and label",
                assertThrows(AnnotationException.class, () -> TsnListFile.read(bad2, dir, classes)).getMessage());
    }

    @Test
    void classNamesRoundTrip() {
        List<String> names = List.of("Swiping Left", "Zooming In With Two Fingers", "passing American football (in game)");
        ClassNames.write(dir.resolve("category.txt"), names);
        assertEquals(names, ClassNames.read(dir.resolve("category.txt")));
        assertThrows(IllegalArgumentException.class, () -> ClassNames.write(dir.resolve("x.txt"), List.of("a", "a")));
    }
}

package io.github.tsm4j.data.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SomethingSomethingV2Test {
    @TempDir
    Path dir;

    private Path labels() throws IOException {
        return Files.writeString(dir.resolve("labels.json"), """
                {
                 "Approaching something with your camera": "0",
                 "Holding something next to something": "2",
                 "Moving something and something away from each other": "1"
                }
                """);
    }

    @Test
    void readsLabelsTrainAndTestFilesAsReleased() throws IOException {
        Path train = Files.writeString(dir.resolve("train.json"), """
                [
                {"id":"78687","label":"holding potato next to vicks vaporub bottle","template":"Holding [something] next to [something]","placeholders":["potato","vicks vaporub bottle"]},
                {"id":"42326","label":"approaching a pen with your camera","template":"Approaching [something] with your camera","placeholders":["a pen"]}
                ]
                """);
        Path test = Files.writeString(dir.resolve("test.json"), "[{\"id\":\"1420\"},{\"id\":\"37\"}]");
        VideoDataset d = SomethingSomethingV2.read(labels(), train, dir.resolve("videos"));
        assertEquals(List.of("Approaching something with your camera", "Moving something and something away from each other",
                "Holding something next to something"), d.classNames());
        assertEquals(List.of(new VideoSample("78687", dir.resolve("videos/78687.webm"), 2),
                new VideoSample("42326", dir.resolve("videos/42326.webm"), 0)), d.samples());
        VideoDataset t = SomethingSomethingV2.read(labels(), test, dir.resolve("videos"));
        assertEquals(VideoSample.UNLABELLED, t.samples().get(1).label());
        assertEquals("37", t.samples().get(1).id());
    }

    @Test
    void unknownTemplateNamesFileAndLine() throws IOException {
        Path train = Files.writeString(dir.resolve("train.json"), """
                [
                {"id":"1","template":"Holding [something] next to [something]"},
                {"id":"2","template":"Juggling [something]"}
                ]
                """);
        AnnotationException e = assertThrows(AnnotationException.class,
                () -> SomethingSomethingV2.read(labels(), train, dir));
        assertEquals(train + ":3: unknown label 'Juggling something' of video 2 (not in labels.json)", e.getMessage());
        assertEquals(3, e.line());
    }

    @Test
    void malformedJsonNamesFileAndLine() throws IOException {
        Path train = Files.writeString(dir.resolve("train.json"), "[\n{\"id\":\"1\"},\n{\"id\": }\n]\n");
        AnnotationException e = assertThrows(AnnotationException.class,
                () -> SomethingSomethingV2.read(labels(), train, dir));
        assertEquals(3, e.line());
        assertEquals(true, e.getMessage().startsWith(train + ":3: malformed JSON: "), e.getMessage());
        Path badLabels = Files.writeString(dir.resolve("bad.json"), "{\"a\": \"0\", \"b\": \"zero\"}");
        assertEquals(badLabels + ":1: class id of 'b' must be an integer, found \"zero\"",
                assertThrows(AnnotationException.class, () -> SomethingSomethingV2.readLabels(badLabels)).getMessage());
        Path missing = dir.resolve("none.json");
        assertEquals(missing + ": no such annotation file",
                assertThrows(AnnotationException.class, () -> SomethingSomethingV2.readLabels(missing)).getMessage());
    }

    @Test
    void writtenFilesReadBackToTheSameClassesAndSamples() {
        List<String> classes = List.of("Pushing something", "Pulling something");
        SomethingSomethingV2.writeLabels(dir.resolve("l.json"), classes);
        SomethingSomethingV2.writeSplit(dir.resolve("s.json"), List.of(
                new SomethingSomethingV2.Entry("5", "pulling a cup", "Pulling [something]", List.of("a cup")),
                new SomethingSomethingV2.Entry("6", null, null, List.of())));
        VideoDataset d = SomethingSomethingV2.read(dir.resolve("l.json"), dir.resolve("s.json"), dir);
        assertEquals(classes, d.classNames());
        assertEquals(1, d.samples().get(0).label());
        assertEquals(VideoSample.UNLABELLED, d.samples().get(1).label());
    }
}

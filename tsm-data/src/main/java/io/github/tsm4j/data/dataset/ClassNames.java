package io.github.tsm4j.data.dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Class-name files: one name per line, class id = line order (the official {@code category.txt}).
 * {@link #write} then {@link #read} gives back the same list.
 */
public final class ClassNames {
    private ClassNames() {}

    /**
     * @param file the file
     * @return names in id order
     * @throws AnnotationException naming file and line for a duplicate name
     */
    public static List<String> read(Path file) {
        return TwentyBnCsv.readLabels(file);
    }

    /**
     * @param file destination
     * @param names names in id order; none empty, none with a line break, no duplicates
     */
    public static void write(Path file, List<String> names) {
        Set<String> seen = new HashSet<>();
        for (String n : names) {
            if (n.isBlank() || n.contains("\n") || n.contains("\r") || !n.equals(n.strip()) || !seen.add(n)) {
                throw new IllegalArgumentException("class name '" + n + "' cannot be written one per line (blank, "
                        + "line break, surrounding space or duplicate)");
            }
        }
        try {
            Files.writeString(file, String.join("\n", names) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}

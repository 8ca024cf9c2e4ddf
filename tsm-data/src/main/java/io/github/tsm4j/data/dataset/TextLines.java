package io.github.tsm4j.data.dataset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Line-numbered reading of text annotation files and a small CSV splitter (package-private). */
final class TextLines {
    private TextLines() {}

    /** A non-blank line with its 1-based number (trailing CR and surrounding blanks removed). */
    record Line(int number, String text) {}

    static List<Line> read(Path file) {
        Json.requireFile(file);
        List<String> raw;
        try {
            raw = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AnnotationException(file, 0, "cannot read (" + e + ")", e);
        }
        List<Line> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            String s = raw.get(i);
            if (i == 0 && s.startsWith("\uFEFF")) {
                s = s.substring(1);
            }
            s = s.strip();
            if (!s.isEmpty()) {
                out.add(new Line(i + 1, s));
            }
        }
        return out;
    }

    /**
     * Splits one CSV record on {@code delimiter}, honouring double quotes ({@code ""} inside quotes is
     * a quote).
     */
    static List<String> split(Path file, Line line, char delimiter) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        String s = line.text();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                        cur.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == delimiter) {
                out.add(cur.toString().strip());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (quoted) {
            throw new AnnotationException(file, line.number(), "unterminated quote in \"" + s + "\"");
        }
        out.add(cur.toString().strip());
        return out;
    }

    static AnnotationException malformed(Path file, Line line, String expected) {
        return new AnnotationException(file, line.number(), "malformed line \"" + line.text() + "\", expected " + expected);
    }
}

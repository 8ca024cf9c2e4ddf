package io.github.tsm4j.data.dataset;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Line-aware JSON reading for annotation files (package-private helper). */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    /** A JSON value with the 1-based line where it starts. */
    record Located(JsonNode node, int line) {}

    /** Reads a top-level JSON array of objects, keeping each element's line. */
    static List<Located> readArray(Path file) {
        requireFile(file);
        List<Located> out = new ArrayList<>();
        try (JsonParser p = MAPPER.getFactory().createParser(file.toFile())) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_ARRAY) {
                throw new AnnotationException(file, line(p), "expected a JSON array, found " + t);
            }
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == null) {
                    throw new AnnotationException(file, line(p), "unexpected end of file inside the array");
                }
                int line = line(p);
                JsonNode node = MAPPER.readTree(p);
                out.add(new Located(node, line));
            }
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new AnnotationException(file, line, "malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new AnnotationException(file, 0, "cannot read (" + e + ")", e);
        }
        return out;
    }

    /** Reads a top-level JSON object, giving each field's line. */
    static List<Field> readObjectFields(Path file) {
        requireFile(file);
        List<Field> out = new ArrayList<>();
        try (JsonParser p = MAPPER.getFactory().createParser(file.toFile())) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                throw new AnnotationException(file, line(p), "expected a JSON object, found " + t);
            }
            while ((t = p.nextToken()) != JsonToken.END_OBJECT) {
                if (t != JsonToken.FIELD_NAME) {
                    throw new AnnotationException(file, line(p), "unexpected " + t);
                }
                int line = line(p);
                String name = p.currentName();
                p.nextToken();
                JsonNode value = MAPPER.readTree(p);
                out.add(new Field(name, value, line));
            }
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new AnnotationException(file, line, "malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new AnnotationException(file, 0, "cannot read (" + e + ")", e);
        }
        return out;
    }

    record Field(String name, JsonNode value, int line) {}

    static void requireFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new AnnotationException(file, 0, "no such annotation file", new NoSuchFileException(file.toString()));
        }
    }

    private static int line(JsonParser p) {
        return p.currentTokenLocation().getLineNr();
    }
}

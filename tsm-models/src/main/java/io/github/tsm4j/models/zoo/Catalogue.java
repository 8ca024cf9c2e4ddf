package io.github.tsm4j.models.zoo;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The catalogue of published checkpoints and the label lists beside it: {@value #RESOURCE} and
 * {@code labels/*.txt} in this package's resources ({@link #builtIn()}). Immutable; {@link #with} and
 * {@link #withLabels} return extended copies (private checkpoints, tests).
 */
public final class Catalogue {
    /** The catalogue resource, relative to this package. */
    public static final String RESOURCE = "catalogue.json";
    /** The catalogue format this class reads. */
    public static final int FORMAT = 1;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    private static volatile Catalogue builtIn;

    private final Map<String, ZooEntry> entries;
    private final Map<String, LabelListInfo> labelLists;
    private final Map<String, List<String>> labelCache;
    private final Map<String, String> sources;

    /** The JSON file's shape. */
    private record CatalogueFile(int format, Map<String, String> sources, List<LabelListInfo> labelLists, List<ZooEntry> models) {
    }

    private Catalogue(Map<String, ZooEntry> entries, Map<String, LabelListInfo> labelLists,
            Map<String, List<String>> labelCache, Map<String, String> sources) {
        this.entries = entries;
        this.labelLists = labelLists;
        this.labelCache = labelCache;
        this.sources = sources;
    }

    /**
     * The catalogue shipped in tsm-models (read once).
     *
     * @return the catalogue
     * @throws IllegalStateException if the resource is missing or invalid (a broken build)
     */
    public static Catalogue builtIn() {
        Catalogue c = builtIn;
        if (c == null) {
            try (InputStream in = Catalogue.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("tsm-models resource " + RESOURCE + " is missing");
                }
                c = read(in);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read tsm-models resource " + RESOURCE + ": " + e.getMessage(), e);
            }
            builtIn = c;
        }
        return c;
    }

    /**
     * Reads a catalogue in the {@value #RESOURCE} format; label list resources resolve against this package.
     *
     * @param json the JSON
     * @return the catalogue
     * @throws IOException on malformed JSON, unknown fields, a wrong format number, duplicate ids or an entry
     *     naming a label list that does not exist or has another class count
     */
    public static Catalogue read(InputStream json) throws IOException {
        CatalogueFile f;
        try {
            f = JSON.readValue(json, CatalogueFile.class);
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            throw new IOException("invalid catalogue: " + (root instanceof IllegalArgumentException ? root.getMessage()
                    : e.getOriginalMessage()), e);
        }
        if (f.format() != FORMAT) {
            throw new IOException("catalogue format " + f.format() + " is not supported (this tsm4j reads format " + FORMAT + ")");
        }
        Map<String, LabelListInfo> lists = new LinkedHashMap<>();
        for (LabelListInfo l : f.labelLists()) {
            if (lists.put(l.id(), l) != null) {
                throw new IOException("catalogue lists label list '" + l.id() + "' twice");
            }
        }
        Map<String, ZooEntry> models = new LinkedHashMap<>();
        for (ZooEntry e : f.models()) {
            if (models.put(e.id(), e) != null) {
                throw new IOException("catalogue lists model '" + e.id() + "' twice");
            }
            checkLabels(e, lists);
        }
        return new Catalogue(java.util.Collections.unmodifiableMap(models),
                java.util.Collections.unmodifiableMap(lists), new java.util.concurrent.ConcurrentHashMap<>(),
                f.sources() == null ? Map.of() : Map.copyOf(f.sources()));
    }

    private static void checkLabels(ZooEntry e, Map<String, LabelListInfo> lists) {
        if (e.labels() == null) {
            return;
        }
        LabelListInfo l = lists.get(e.labels());
        if (l == null) {
            throw new IllegalArgumentException("catalogue entry '" + e.id() + "' names label list '" + e.labels()
                    + "', which is not among " + lists.keySet());
        }
        if (l.count() != e.numClasses()) {
            throw new IllegalArgumentException("catalogue entry '" + e.id() + "' has a classifier for " + e.numClasses()
                    + " classes but its label list '" + l.id() + "' has " + l.count() + " labels");
        }
    }

    /** @return every entry, in catalogue order */
    public List<ZooEntry> entries() {
        return List.copyOf(entries.values());
    }

    /** @return the label lists, in catalogue order */
    public List<LabelListInfo> labelLists() {
        return List.copyOf(labelLists.values());
    }

    /** @return where the catalogue's facts were read (name → address) */
    public Map<String, String> sources() {
        return sources;
    }

    /**
     * @param id an entry id
     * @return the entry, if listed
     */
    public Optional<ZooEntry> find(String id) {
        return Optional.ofNullable(entries.get(id == null ? null : id.trim().toLowerCase(Locale.ROOT)));
    }

    /**
     * @param id an entry id
     * @return the entry
     * @throws UnknownModelException for an unknown id, listing the close matches
     */
    public ZooEntry get(String id) {
        return find(id).orElseThrow(() -> new UnknownModelException(id, closeMatches(id)));
    }

    /**
     * The catalogue ids closest to a string: those sharing its words ({@code -}-separated), then by edit distance.
     *
     * @param id what was asked for
     * @return up to 5 ids, best first
     */
    public List<String> closeMatches(String id) {
        String q = id == null ? "" : id.trim().toLowerCase(Locale.ROOT);
        Set<String> words = new HashSet<>(Arrays.asList(q.split("[-_. ]+")));
        record Scored(String id, int shared, int distance) {
        }
        List<Scored> scored = new ArrayList<>();
        for (String candidate : entries.keySet()) {
            int shared = 0;
            for (String w : candidate.split("[-_.]+")) {
                if (!w.isEmpty() && words.contains(w)) {
                    shared++;
                }
            }
            int d = levenshtein(q, candidate);
            if (shared > 0 || d <= Math.max(3, q.length() / 3) || candidate.contains(q) && !q.isEmpty()) {
                scored.add(new Scored(candidate, shared, d));
            }
        }
        return scored.stream().sorted(Comparator.comparingInt((Scored s) -> -s.shared()).thenComparingInt(Scored::distance)
                .thenComparing(Scored::id)).limit(5).map(Scored::id).toList();
    }

    static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /**
     * @param listId a label list id
     * @return its description
     * @throws IllegalArgumentException for an unknown id
     */
    public LabelListInfo labelList(String listId) {
        LabelListInfo l = labelLists.get(listId);
        if (l == null) {
            throw new IllegalArgumentException("unknown label list '" + listId + "', expected one of " + labelLists.keySet());
        }
        return l;
    }

    /**
     * The class names of a label list, index = class index.
     *
     * @param listId a label list id
     * @return the names (immutable)
     * @throws IllegalArgumentException for an unknown id
     * @throws IllegalStateException when the resource is missing or its count differs from the catalogue's
     */
    public List<String> labels(String listId) {
        LabelListInfo info = labelList(listId);
        return labelCache.computeIfAbsent(listId, k -> readLabels(info));
    }

    private static List<String> readLabels(LabelListInfo info) {
        try (InputStream in = Catalogue.class.getResourceAsStream(info.resource())) {
            if (in == null) {
                throw new IllegalStateException("label list '" + info.id() + "': resource " + info.resource() + " is missing");
            }
            List<String> lines = new ArrayList<>(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
            while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
                lines.remove(lines.size() - 1);
            }
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).isBlank()) {
                    throw new IllegalStateException("label list '" + info.id() + "' line " + (i + 1) + " is empty");
                }
            }
            if (lines.size() != info.count()) {
                throw new IllegalStateException("label list '" + info.id() + "' (" + info.resource() + ") has " + lines.size()
                        + " labels, the catalogue says " + info.count());
            }
            return List.copyOf(lines);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read label list " + info.resource(), e);
        }
    }

    /**
     * A copy with one more entry (or an entry replaced by id).
     *
     * @param entry the entry; its label list must be known with the entry's class count
     * @return the extended catalogue
     */
    public Catalogue with(ZooEntry entry) {
        checkLabels(entry, labelLists);
        Map<String, ZooEntry> m = new LinkedHashMap<>(entries);
        m.put(entry.id(), entry);
        return new Catalogue(java.util.Collections.unmodifiableMap(m), labelLists, labelCache, sources);
    }

    /**
     * A copy with one more label list held in memory.
     *
     * @param id the list id
     * @param labels the class names, index = class index
     * @param source where they come from
     * @return the extended catalogue
     */
    public Catalogue withLabels(String id, List<String> labels, String source) {
        Map<String, LabelListInfo> l = new LinkedHashMap<>(labelLists);
        l.put(id, new LabelListInfo(id, "(in memory)", labels.size(), source));
        Map<String, List<String>> cache = new java.util.concurrent.ConcurrentHashMap<>(labelCache);
        cache.put(id, List.copyOf(labels));
        return new Catalogue(entries, java.util.Collections.unmodifiableMap(l), cache, sources);
    }
}

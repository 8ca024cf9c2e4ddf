package io.github.tsm4j.examples.spark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

/**
 * Expands what the user lists into videos, on the driver: a <b>folder</b> stands for its entries (each file, or
 * sub-folder of frames, is one video; names starting with '.' are left out), a <b>list file</b> (name ending in
 * {@code .txt} or {@code .list}) for its lines (blank lines and {@code #} comments left out; relative entries are
 * relative to the list's folder), anything else is one video. Local paths and Hadoop URIs alike; the videos are not
 * opened here (an executor that cannot read one gives a failed row).
 */
public final class VideoList {
    private VideoList() {}

    /**
     * @param args paths or URIs of videos, folders of videos and list files
     * @param hadoop Hadoop configuration for URIs
     * @return the videos, in the order given (folders sorted by name)
     * @throws IOException naming an argument that does not exist or cannot be read
     */
    public static List<String> expand(List<String> args, Configuration hadoop) throws IOException {
        List<String> out = new ArrayList<>();
        for (String a : args) {
            if (VideoLocations.isLocal(a)) {
                local(a, VideoLocations.localPath(a), out);
            } else {
                remote(a, hadoop, out);
            }
        }
        return out;
    }

    static boolean isList(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".txt") || n.endsWith(".list");
    }

    private static void local(String arg, Path p, List<String> out) throws IOException {
        if (!Files.exists(p)) {
            throw new IOException("video, folder or list " + arg + " not found");
        }
        if (Files.isDirectory(p)) {
            try (Stream<Path> s = Files.list(p)) {
                s.filter(e -> !e.getFileName().toString().startsWith(".")).sorted(Comparator.comparing(Path::toString))
                        .forEach(e -> out.add(e.toString()));
            }
        } else if (isList(p.getFileName().toString())) {
            List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
            for (String line : entries(lines)) {
                out.add(VideoLocations.isLocal(line) && !line.startsWith("file:") && !Path.of(line).isAbsolute()
                        && p.getParent() != null ? p.getParent().resolve(line).toString() : line);
            }
        } else {
            out.add(arg);
        }
    }

    private static void remote(String arg, Configuration conf, List<String> out) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(arg);
        FileStatus st;
        FileSystem fs;
        try {
            fs = p.getFileSystem(conf);
            st = fs.getFileStatus(p);
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot read " + arg + ": " + VideoLocations.oneLine(e), e);
        }
        if (st.isDirectory()) {
            FileStatus[] children = fs.listStatus(p);
            Arrays.sort(children, Comparator.comparing(c -> c.getPath().getName()));
            for (FileStatus c : children) {
                if (!c.getPath().getName().startsWith(".")) {
                    out.add(c.getPath().toString());
                }
            }
        } else if (isList(p.getName())) {
            List<String> lines = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(p), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            }
            for (String line : entries(lines)) {
                out.add(VideoLocations.isLocal(line) && !line.startsWith("/")
                        ? new org.apache.hadoop.fs.Path(p.getParent(), line).toString() : line);
            }
        } else {
            out.add(arg);
        }
    }

    private static List<String> entries(List<String> lines) {
        return lines.stream().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }
}

package io.github.tsm4j.models.zoo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal HTTP/1.1 file server on 127.0.0.1 for download tests (one request per connection): honours
 * {@code Range: bytes=N-}, can drop a connection half-way through a body (which the JDK's {@code HttpServer}
 * cannot do: it keeps the socket open), and records every request.
 */
final class LoopbackServer implements AutoCloseable {
    private final ServerSocket socket;
    private final Thread acceptor;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> cuts = new ConcurrentHashMap<>();
    /** Held responses wait for this latch (see {@link #hold}). */
    private volatile java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(0);
    /** Every request as "GET /path" plus " Range: …" when asked. */
    final List<String> requests = new CopyOnWriteArrayList<>();

    LoopbackServer() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "loopback-http");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + socket.getLocalPort() + path;
    }

    void serve(String path, byte[] bytes) {
        files.put(path, bytes);
    }

    /** The next {@code times} transfers of {@code path} send half their body, then the connection is dropped. */
    void cut(String path, int times) {
        cuts.put(path, new AtomicInteger(times));
    }

    /** Responses wait from now on until {@link #release}. */
    void hold() {
        gate = new java.util.concurrent.CountDownLatch(1);
    }

    void release() {
        gate.countDown();
    }

    long gets(String path) {
        return requests.stream().filter(r -> r.equals("GET " + path) || r.startsWith("GET " + path + " ")).count();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                Thread t = new Thread(() -> handle(s), "loopback-http-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void handle(Socket s) {
        try (s) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            String requestLine = in.readLine();
            if (requestLine == null) {
                return;
            }
            String range = null;
            for (String h; (h = in.readLine()) != null && !h.isEmpty(); ) {
                if (h.regionMatches(true, 0, "Range:", 0, 6)) {
                    range = h.substring(6).strip();
                }
            }
            String[] parts = requestLine.split(" ");
            String path = parts[1];
            requests.add(parts[0] + " " + path + (range == null ? "" : " Range: " + range));
            OutputStream out = s.getOutputStream();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            byte[] body = files.get(path);
            if (body == null) {
                out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return;
            }
            int from = 0;
            String status = "200 OK";
            String extra = "";
            if (range != null && range.matches("bytes=\\d+-")) {
                from = Integer.parseInt(range.substring(6, range.length() - 1));
                status = "206 Partial Content";
                extra = "Content-Range: bytes " + from + "-" + (body.length - 1) + "/" + body.length + "\r\n";
            }
            int length = body.length - from;
            out.write(("HTTP/1.1 " + status + "\r\nContent-Length: " + length + "\r\n" + extra + "Connection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            AtomicInteger cut = cuts.get(path);
            boolean drop = cut != null && cut.getAndDecrement() > 0;
            out.write(body, from, drop ? length / 2 : length);
            out.flush();
            // with drop, closing the socket now leaves the client short of the promised Content-Length
        } catch (IOException e) {
            // the client went away
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }
}

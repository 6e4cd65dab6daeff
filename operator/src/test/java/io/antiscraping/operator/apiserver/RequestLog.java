package io.antiscraping.operator.apiserver;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Every request a Kubernetes client made, as {@code METHOD /path?query}. Used to count writes and, written to
 * {@code target/api-requests/}, to prove that the chart's RBAC allows exactly what the operator does.
 */
public final class RequestLog implements Interceptor {

  private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");
  private final List<String> lines = new ArrayList<>();

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    String query = request.uri().getRawQuery();
    synchronized (lines) {
      lines.add(request.method() + " " + request.uri().getRawPath() + (query == null ? "" : "?" + query));
    }
  }

  public List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  public int size() {
    synchronized (lines) {
      return lines.size();
    }
  }

  /** Writes made since the given position in the log, optionally only those whose path contains {@code part}. */
  public List<String> writesSince(int mark, String part) {
    List<String> all = lines();
    return all.subList(Math.min(mark, all.size()), all.size()).stream()
        .filter(l -> WRITES.contains(l.substring(0, l.indexOf(' '))))
        .filter(l -> part == null || l.contains(part))
        .toList();
  }

  public void appendTo(Path file) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, lines(), java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

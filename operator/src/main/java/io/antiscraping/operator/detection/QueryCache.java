package io.antiscraping.operator.detection;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Shares queries between policies: within one evaluation cycle, identical (Prometheus URL, query, credentials)
 * requests are sent once however many policies ask. Single-flight (callers asking while a query is in flight wait for
 * its answer) plus a short freshness window (default 1 s) after the answer, failures included, so that a cycle over
 * a thousand policies does not hammer a struggling Prometheus. Keys hold hashes of the token and CA bundle, never the
 * token itself, and the label the caller reads (the answer keeps only that one). Answers past the window are purged
 * whenever a query is sent, so that none is held longer than the next query.
 */
public final class QueryCache implements QueryRunner {

  public static final Duration DEFAULT_FRESHNESS = Duration.ofSeconds(1);

  private final QueryRunner runner;
  private final long freshnessMillis;
  private final Clock clock;
  private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong calls = new AtomicLong();

  private record Key(String url, String query, String tokenHash, String caHash, String tenant, String labels) {
  }

  /** The key's labels for a caller that reads every label (no label name can be "*"). */
  private static final String ALL_LABELS = "*";

  private static final class Entry {
    final CompletableFuture<QueryResult> result = new CompletableFuture<>();
    volatile long completedAt = Long.MIN_VALUE;
  }

  public QueryCache(QueryRunner runner) {
    this(runner, DEFAULT_FRESHNESS, Clock.systemUTC());
  }

  public QueryCache(QueryRunner runner, Duration freshness, Clock clock) {
    this.runner = Objects.requireNonNull(runner, "runner");
    this.freshnessMillis = Math.max(0, freshness.toMillis());
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public QueryResult query(PrometheusEndpoint endpoint, String promql) {
    return shared(endpoint, promql, ALL_LABELS, null, () -> true);
  }

  @Override
  public QueryResult query(PrometheusEndpoint endpoint, String promql, String label) {
    return shared(endpoint, promql, label == null ? "" : label, label, () -> true);
  }

  /** Charges {@code takeQuery} only when the query is sent: a shared answer, in flight or fresh, costs nothing. */
  @Override
  public QueryResult query(PrometheusEndpoint endpoint, String promql, String label,
                           java.util.function.BooleanSupplier takeQuery) {
    return shared(endpoint, promql, label == null ? "" : label, label, takeQuery);
  }

  private QueryResult shared(PrometheusEndpoint endpoint, String promql, String labels, String label,
                             java.util.function.BooleanSupplier takeQuery) {
    calls.incrementAndGet();
    Key key = new Key(endpoint.queryUri().toString(), promql,
        endpoint.bearerToken().map(PrometheusClient::sha256).orElse(""),
        endpoint.caPem().map(PrometheusClient::sha256).orElse(""),
        endpoint.tenant().map(t -> t.parameter() + "=" + t.value()).orElse(""), labels);
    long now = clock.millis();
    Entry[] mine = new Entry[1];
    boolean[] refused = new boolean[1];
    Entry e = entries.compute(key, (k, old) -> {
      if (old != null && (!old.result.isDone() || now - old.completedAt < freshnessMillis)) {
        return old;
      }
      if (!takeQuery.getAsBoolean()) {
        refused[0] = true;
        return old;
      }
      mine[0] = new Entry();
      return mine[0];
    });
    if (refused[0]) {
      return null;
    }
    if (mine[0] == null) {
      // Another policy's identical query is in flight: wait for it no longer than this caller's own timeout.
      try {
        return e.result.get(endpoint.timeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException ex) {
        return new QueryResult.Failure(QueryResult.Kind.TIMEOUT, "no answer from Prometheus at "
            + endpoint.authority() + " within " + endpoint.timeout().toMillis() + "ms (the same query, sent for "
            + "another policy, is still waiting)");
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        return new QueryResult.Failure(QueryResult.Kind.TIMEOUT, "interrupted while querying " + endpoint.authority());
      } catch (ExecutionException ex) {
        return new QueryResult.Failure(QueryResult.Kind.BAD_RESPONSE, "unexpected error querying "
            + endpoint.authority());
      }
    }
    sent.incrementAndGet();
    purge();
    QueryResult r;
    try {
      r = ALL_LABELS.equals(labels) ? runner.query(endpoint, promql) : runner.query(endpoint, promql, label);
    } catch (RuntimeException ex) {
      r = new QueryResult.Failure(QueryResult.Kind.BAD_RESPONSE, "unexpected error querying " + endpoint.authority()
          + " (" + ex.getClass().getSimpleName() + ")");
    }
    e.completedAt = clock.millis();
    e.result.complete(r);
    return r;
  }

  /** Answers held now (in flight or within the window, until the next purge). */
  int size() {
    return entries.size();
  }

  /** Queries actually sent to Prometheus (not answered from the cache). */
  public long queriesSent() {
    return sent.get();
  }

  /** All queries asked for, sent or shared. */
  public long queriesAsked() {
    return calls.get();
  }

  /** Drops answers older than the freshness window. */
  public void purge() {
    long now = clock.millis();
    entries.values().removeIf(x -> x.result.isDone() && now - x.completedAt >= freshnessMillis);
  }
}

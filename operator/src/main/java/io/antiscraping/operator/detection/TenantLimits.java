package io.antiscraping.operator.detection;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * What one namespace may take of the operator and of Prometheus, so that one tenant cannot starve the others:
 * <ul>
 *   <li>at most {@code concurrentEvaluations} of its policies query Prometheus at once (the others are not queried
 *       this time and say so: a reconcile thread never waits for another tenant);</li>
 *   <li>at most {@code queriesPerMinute} queries a minute (a token bucket refilled continuously, one minute's worth
 *       deep); a signal over the budget is not queried and says so.</li>
 * </ul>
 */
public final class TenantLimits {

  public static final int DEFAULT_CONCURRENT_EVALUATIONS = 4;
  public static final int DEFAULT_QUERIES_PER_MINUTE = 600;

  private final int concurrentEvaluations;
  private final int queriesPerMinute;
  private final Clock clock;
  private final Map<String, Semaphore> running = new ConcurrentHashMap<>();
  private final Map<String, Bucket> budgets = new ConcurrentHashMap<>();

  /** Holds one of the namespace's evaluation slots until closed. */
  public interface Permit extends AutoCloseable {
    @Override
    void close();
  }

  public TenantLimits(int concurrentEvaluations, int queriesPerMinute, Clock clock) {
    if (concurrentEvaluations < 1 || queriesPerMinute < 1) {
      throw new IllegalArgumentException("limits must be at least 1");
    }
    this.concurrentEvaluations = concurrentEvaluations;
    this.queriesPerMinute = queriesPerMinute;
    this.clock = clock;
  }

  /** No limit worth the name: for tools that evaluate one policy. */
  public static TenantLimits none() {
    return new TenantLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Clock.systemUTC());
  }

  public int concurrentEvaluations() {
    return concurrentEvaluations;
  }

  public int queriesPerMinute() {
    return queriesPerMinute;
  }

  /** A slot for one evaluation of the namespace, or empty when all of its slots are taken. */
  public Optional<Permit> enter(String namespace) {
    Semaphore s = running.computeIfAbsent(namespace, n -> new Semaphore(concurrentEvaluations));
    if (!s.tryAcquire()) {
      return Optional.empty();
    }
    return Optional.of(new Permit() {
      private boolean closed;

      @Override
      public synchronized void close() {
        if (!closed) {
          closed = true;
          s.release();
        }
      }
    });
  }

  /** Takes one query from the namespace's budget; false when it is spent. */
  public boolean takeQuery(String namespace) {
    return budgets.computeIfAbsent(namespace, n -> new Bucket(queriesPerMinute, clock.millis())).take(clock.millis());
  }

  /** Why a signal was not queried, for its status. */
  public String budgetSpent(String namespace) {
    return "not queried: namespace " + namespace + " spent its budget of " + queriesPerMinute
        + " Prometheus queries a minute (--namespace-query-budget); fewer signals or a longer evaluationInterval help";
  }

  public String busy(String namespace) {
    return "not queried this time: " + concurrentEvaluations + " other evaluations of namespace " + namespace
        + " are querying Prometheus (--namespace-concurrency)";
  }

  /** A token bucket: {@code perMinute} deep, refilled at {@code perMinute} a minute. */
  private static final class Bucket {
    private final double capacity;
    private final double perMilli;
    private double tokens;
    private long at;

    Bucket(int perMinute, long now) {
      this.capacity = perMinute;
      this.perMilli = perMinute / (double) Duration.ofMinutes(1).toMillis();
      this.tokens = perMinute;
      this.at = now;
    }

    synchronized boolean take(long now) {
      if (now > at) {
        tokens = Math.min(capacity, tokens + (now - at) * perMilli);
        at = now;
      }
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      return false;
    }
  }
}

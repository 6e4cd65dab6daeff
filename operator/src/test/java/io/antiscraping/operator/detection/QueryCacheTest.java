package io.antiscraping.operator.detection;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class QueryCacheTest {

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    Instant now = Instant.parse("2026-03-01T12:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  final PrometheusEndpoint ep = PrometheusEndpoint.of("http://prometheus.example:9090");

  /**
   * Issue L: the namespace's query budget pays for what reaches Prometheus. An answer shared within the freshness
   * window costs nothing; a refused query is not sent and is not remembered.
   */
  @Test
  void theQueryBudgetIsChargedOnlyForQueriesSent() {
    TestClock clock = new TestClock();
    AtomicInteger sentToPrometheus = new AtomicInteger();
    QueryCache cache = new QueryCache((e, q) -> {
      sentToPrometheus.incrementAndGet();
      return new QueryResult.Scalar(1);
    }, Duration.ofSeconds(1), clock);
    AtomicInteger charged = new AtomicInteger();
    java.util.function.BooleanSupplier budgetOfTwo = () -> charged.incrementAndGet() <= 2;
    for (int i = 0; i < 10; i++) {
      assertThat(cache.query(ep, "sum(up)", null, budgetOfTwo)).isEqualTo(new QueryResult.Scalar(1));
    }
    assertThat(charged).as("ten asks within the window, one query sent").hasValue(1);
    clock.now = clock.now.plusSeconds(1);
    assertThat(cache.query(ep, "sum(up)", null, budgetOfTwo)).isNotNull();
    clock.now = clock.now.plusSeconds(1);
    assertThat(cache.query(ep, "sum(up)", null, budgetOfTwo)).as("the budget is spent").isNull();
    assertThat(sentToPrometheus).hasValue(2);
  }

  @Test
  void concurrentIdenticalQueriesAreSentOnce() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger inRunner = new AtomicInteger();
    QueryCache cache = new QueryCache((e, q) -> {
      inRunner.incrementAndGet();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
      }
      return new QueryResult.Scalar(q.length());
    }, Duration.ofSeconds(1), new TestClock());
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<QueryResult>> fs = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        fs.add(pool.submit(() -> cache.query(ep, "sum(up)")));
      }
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> inRunner.get() == 1);
      release.countDown();
      for (Future<QueryResult> f : fs) {
        assertThat(f.get(5, TimeUnit.SECONDS)).isEqualTo(new QueryResult.Scalar(7));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(cache.queriesSent()).isEqualTo(1);
    assertThat(cache.queriesAsked()).isEqualTo(64);
  }

  @Test
  void answersAreSharedWithinTheFreshnessWindowFailuresIncluded() {
    TestClock clock = new TestClock();
    AtomicInteger n = new AtomicInteger();
    QueryCache cache = new QueryCache((e, q) -> n.incrementAndGet() == 1
        ? new QueryResult.Failure(QueryResult.Kind.TIMEOUT, "slow") : new QueryResult.Scalar(1),
        Duration.ofSeconds(1), clock);
    assertThat(cache.query(ep, "a")).isInstanceOf(QueryResult.Failure.class);
    clock.now = clock.now.plusMillis(999);
    assertThat(cache.query(ep, "a")).isInstanceOf(QueryResult.Failure.class);
    clock.now = clock.now.plusMillis(1);
    assertThat(cache.query(ep, "a")).isEqualTo(new QueryResult.Scalar(1));
    assertThat(cache.queriesSent()).isEqualTo(2);
  }

  @Test
  void differentQueriesUrlsOrCredentialsAreNotShared() {
    AtomicInteger n = new AtomicInteger();
    QueryCache cache = new QueryCache((e, q) -> new QueryResult.Scalar(n.incrementAndGet()),
        Duration.ofSeconds(1), new TestClock());
    cache.query(ep, "a");
    cache.query(ep, "b");
    cache.query(PrometheusEndpoint.of("http://other.example:9090"), "a");
    cache.query(ep.withBearerToken("t1"), "a");
    cache.query(ep.withBearerToken("t2"), "a");
    cache.query(ep.withBearerToken("t2"), "a");
    cache.query(PrometheusEndpoint.of("http://prometheus.example:9090/"), "a");
    assertThat(cache.queriesSent()).isEqualTo(5);
  }

  @Test
  void aRunnerThatThrowsBecomesAFailureForEveryWaiter() {
    QueryCache cache = new QueryCache((e, q) -> {
      throw new IllegalStateException("boom");
    });
    assertThat(cache.query(ep, "a")).isInstanceOf(QueryResult.Failure.class);
    assertThat(cache.query(ep, "a")).isInstanceOf(QueryResult.Failure.class);
  }

  /**
   * Security finding S6: answers past the freshness window (up to 20,000 series each) stayed in the cache until 4,096
   * entries had piled up. They are purged whenever a query is sent.
   */
  @Test
  void staleAnswersArePurgedWhenAQueryIsSent() {
    TestClock clock = new TestClock();
    QueryCache cache = new QueryCache((e, q) -> new QueryResult.Scalar(1), Duration.ofSeconds(1), clock);
    for (int i = 0; i < 100; i++) {
      cache.query(ep, "sum(x" + i + ")");
    }
    assertThat(cache.size()).isEqualTo(100);
    clock.now = clock.now.plusSeconds(2);

    cache.query(ep, "sum(y)");

    assertThat(cache.size()).isEqualTo(1);
  }

  /** Callers reading different labels do not share an answer that kept only one of them. */
  @Test
  void theLabelTheCallerReadsIsPartOfTheKeyAndReachesTheRunner() {
    List<String> asked = new ArrayList<>();
    QueryCache cache = new QueryCache(new QueryRunner() {
      @Override
      public QueryResult query(PrometheusEndpoint endpoint, String promql) {
        asked.add("*");
        return new QueryResult.Scalar(1);
      }

      @Override
      public QueryResult query(PrometheusEndpoint endpoint, String promql, String label) {
        asked.add(String.valueOf(label));
        return new QueryResult.Scalar(1);
      }
    }, Duration.ofSeconds(1), new TestClock());
    cache.query(ep, "q", "client");
    cache.query(ep, "q", "client");
    cache.query(ep, "q", "instance");
    cache.query(ep, "q", null);
    cache.query(ep, "q");
    assertThat(asked).containsExactly("client", "instance", "null", "*");
  }
}

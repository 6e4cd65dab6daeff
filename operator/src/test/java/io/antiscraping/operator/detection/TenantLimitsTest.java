package io.antiscraping.operator.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.api.v1alpha1.Signal;
import io.antiscraping.operator.decision.Readings;
import io.antiscraping.operator.decision.SignalReading;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Security findings 5 and 8: one tenant cannot starve the others, nor Prometheus. */
class TenantLimitsTest {

  /** A clock the test moves; a query against a blackhole moves it by the query's whole timeout. */
  static final class TestClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  static List<Signal> signals(int n) {
    List<Signal> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Signal.builder().name("s" + i).query("sum(x" + i + ")").build());
    }
    return out;
  }

  @Test
  void anEvaluationAgainstABlackholeStopsAtItsDeadline() {
    TestClock clock = new TestClock();
    List<Duration> timeouts = new ArrayList<>();
    SignalReader reader = new SignalReader((ep, q) -> {
      timeouts.add(ep.timeout());
      clock.now = clock.now.plus(ep.timeout());
      return new QueryResult.Failure(QueryResult.Kind.TIMEOUT, "no answer");
    });
    PrometheusEndpoint blackhole = PrometheusEndpoint.of("http://10.255.255.1:9090").withTimeout(Duration.ofSeconds(30));
    Instant start = clock.now;
    Readings r = reader.read(blackhole, signals(32),
        new SignalReader.Bounds(start.plusSeconds(30), clock, () -> true, "over budget"));

    assertThat(Duration.between(start, clock.now)).as("32 signals of 30 s each took at most the deadline")
        .isLessThanOrEqualTo(Duration.ofSeconds(30));
    assertThat(timeouts).hasSize(1);
    assertThat(r.bySignal()).hasSize(32);
    assertThat(r.bySignal().get("s31")).isInstanceOfSatisfying(SignalReading.Unavailable.class,
        u -> assertThat(u.reason()).contains("deadline passed"));
  }

  @Test
  void eachQueryGetsOnlyTheTimeLeft() {
    TestClock clock = new TestClock();
    List<Duration> timeouts = new ArrayList<>();
    SignalReader reader = new SignalReader((ep, q) -> {
      timeouts.add(ep.timeout());
      clock.now = clock.now.plusSeconds(3);
      return new QueryResult.Scalar(1);
    });
    reader.read(PrometheusEndpoint.of("http://prom:9090"), signals(3),
        new SignalReader.Bounds(clock.now.plusSeconds(7), clock, () -> true, ""));
    assertThat(timeouts).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(4), Duration.ofSeconds(1));
  }

  @Test
  void aNamespaceOverItsQueryBudgetSendsNothingMoreUntilItRefills() {
    TestClock clock = new TestClock();
    TenantLimits limits = new TenantLimits(4, 60, clock);
    AtomicInteger sent = new AtomicInteger();
    SignalReader reader = new SignalReader((ep, q) -> {
      sent.incrementAndGet();
      return new QueryResult.Scalar(1);
    });
    // 100 policies x 32 heavy queries: the namespace sends its 60 a minute, the rest wait for the next minute.
    int unavailable = 0;
    for (int policy = 0; policy < 100; policy++) {
      Readings r = reader.read(PrometheusEndpoint.of("http://prom:9090"), signals(32), new SignalReader.Bounds(
          clock.now.plusSeconds(30), clock, () -> limits.takeQuery("payments"), limits.budgetSpent("payments")));
      unavailable += (int) r.bySignal().values().stream().filter(SignalReading.Unavailable.class::isInstance).count();
    }
    assertThat(sent.get()).isEqualTo(60);
    assertThat(unavailable).isEqualTo(100 * 32 - 60);
    assertThat(limits.budgetSpent("payments")).contains("60 Prometheus queries a minute")
        .contains("--namespace-query-budget");
    assertThat(limits.takeQuery("storefront")).as("another namespace has its own budget").isTrue();

    clock.now = clock.now.plusSeconds(30);
    int refilled = 0;
    while (limits.takeQuery("payments")) {
      refilled++;
    }
    assertThat(refilled).isEqualTo(30);
  }

  @Test
  void aNamespaceHoldsAtMostItsShareOfEvaluationsAtOnce() {
    TenantLimits limits = new TenantLimits(2, 600, Clock.systemUTC());
    Optional<TenantLimits.Permit> a = limits.enter("payments");
    Optional<TenantLimits.Permit> b = limits.enter("payments");
    assertThat(a).isPresent();
    assertThat(b).isPresent();
    assertThat(limits.enter("payments")).isEmpty();
    assertThat(limits.enter("storefront")).as("other namespaces are not affected").isPresent();
    a.get().close();
    a.get().close(); // closing twice frees one slot only
    assertThat(limits.enter("payments")).isPresent();
    assertThat(limits.enter("payments")).isEmpty();
    assertThat(limits.busy("payments")).contains("--namespace-concurrency");
  }

  /** Finding 5: a policy sharing a query that hangs waits no longer than its own timeout (was: join() forever). */
  @Test
  void waitingForAnotherPolicysQueryIsBoundedByTheWaitersTimeout() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    QueryCache cache = new QueryCache((e, q) -> {
      started.countDown();
      try {
        release.await();
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
      }
      return new QueryResult.Scalar(1);
    });
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<QueryResult> leader = pool.submit(() -> cache.query(PrometheusEndpoint.of("http://prom:9090"), "up"));
      assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
      long t0 = System.nanoTime();
      Future<QueryResult> waiter = pool.submit(() -> cache.query(PrometheusEndpoint.of("http://prom:9090")
          .withTimeout(Duration.ofMillis(300)), "up"));
      QueryResult r = waiter.get(10, TimeUnit.SECONDS);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
      assertThat(r).isInstanceOfSatisfying(QueryResult.Failure.class, f -> {
        assertThat(f.kind()).isEqualTo(QueryResult.Kind.TIMEOUT);
        assertThat(f.message()).contains("still waiting");
      });
      release.countDown();
      assertThat(leader.get(10, TimeUnit.SECONDS)).isEqualTo(new QueryResult.Scalar(1));
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }
}

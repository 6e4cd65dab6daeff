package io.antiscraping.lab.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.lab.scenario.Scenario;
import io.antiscraping.lab.scenario.Scenario.ClientClass;
import io.antiscraping.lab.traffic.RequestRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutcomeCalculatorTest {

  /** One request every 100 ms from t0 for {@code seconds}, ok while {@code okUntilMillis}. */
  static List<RequestRecord> crawler(long t0, int seconds, long okUntilMillis) {
    List<RequestRecord> out = new ArrayList<>();
    for (long t = t0; t < t0 + seconds * 1000L; t += 100) {
      boolean ok = t < okUntilMillis;
      out.add(new RequestRecord(t, ClientClass.CRAWLER, "c", "203.0.113.1", "profile", (int) t, ok ? 200 : 403,
          ok ? 1 : 0, 1));
    }
    return out;
  }

  @Test
  void containedWhenEveryLaterWindowIsUnderFivePercent() {
    // first request at 10 s, denied from 22 s on: the last 5 s window with successes starts at 21 s (relative 11),
    // every window from 12 s (relative) on is clean.
    assertThat(OutcomeCalculator.timeToContain(crawler(10_000, 40, 22_000))).isEqualTo(12.0);
  }

  @Test
  void neverContainedWhenTheLastWindowStillGetsThrough() {
    assertThat(OutcomeCalculator.timeToContain(crawler(0, 30, Long.MAX_VALUE))).isNull();
  }

  @Test
  void deniedFromTheStartIsContainedAtOnce() {
    assertThat(OutcomeCalculator.timeToContain(crawler(0, 30, 0))).isEqualTo(0.0);
  }

  @Test
  void aFewSuccessesUnderFivePercentDoNotCount() {
    List<RequestRecord> r = new ArrayList<>(crawler(0, 30, 5_000));
    // one success in a window of 50 requests (2 %) late in the run
    RequestRecord late = r.get(200);
    r.set(200, new RequestRecord(late.atMillis(), late.clientClass(), "c", late.client(), "profile", 1, 200, 1, 1));
    assertThat(OutcomeCalculator.timeToContain(r)).isEqualTo(5.0);
  }

  @Test
  void wrongfulBansCoverSomeoneElseOrNoCrawler(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("s.yaml");
    Files.writeString(f, """
        name: s
        policy: p.yaml
        duration: 60s
        clients:
          - {name: shoppers, class: shopper, count: 3, addresses: 100.64.0.0/24, thinkTime: 5s}
          - {name: bot, class: search-bot, count: 1, addresses: 66.249.66.0/24, ratePerClient: 1}
          - {name: crawler, class: crawler, count: 2, addresses: 203.0.113.0/28, ratePerClient: 1}
        """);
    Scenario s = Scenario.load(f);
    assertThat(OutcomeCalculator.wrongfulBans(s, List.of("203.0.113.1/32", "203.0.113.2/32"))).isEmpty();
    assertThat(OutcomeCalculator.wrongfulBans(s, List.of("100.64.0.1/32", "66.249.66.1/32", "192.0.2.9/32",
        "203.0.113.0/24", "2001:db8::/64"))).containsExactly("100.64.0.1/32", "66.249.66.1/32", "192.0.2.9/32",
        "2001:db8::/64");
    assertThat(OutcomeCalculator.wrongfulBans(s, List.of("100.64.0.0/16"))).containsExactly("100.64.0.0/16");
    // Pieces of a network ban carved around shoppers: judged with their /16, and wrongful as soon as one covers a
    // shopper.
    assertThat(OutcomeCalculator.wrongfulBans(s, List.of("203.0.113.128/25", "203.0.0.0/17"))).isEmpty();
    assertThat(OutcomeCalculator.wrongfulBans(s, List.of("100.64.0.0/30", "100.64.128.0/17")))
        .containsExactly("100.64.0.0/30", "100.64.128.0/17");
    assertThat(OutcomeCalculator.foreignLabels(s, List.of("100.64.0.2", "203.0.113.1", "10.0.0.7", "unknown")))
        .containsExactly("10.0.0.7", "unknown");
  }

  @Test
  void backToBaselineIsTheStartOfTheLastBaselineStretchAfterTheAttack() {
    Timeline t = new Timeline();
    String[] levels = {"normal", "elevated", "elevated", "normal", "elevated", "normal", "normal"};
    for (int i = 0; i < levels.length; i++) {
      t.add(new Timeline.Sample(i * 10_000L, levels[i], List.of(), 0, 0, 0));
    }
    assertThat(OutcomeCalculator.backToBaseline(t, "normal", 25_000)).isEqualTo(50.0);
    assertThat(OutcomeCalculator.backToBaseline(t, "severe", 0)).isNull();
    assertThat(t.levelChanges()).extracting(Timeline.LevelChange::level)
        .containsExactly("normal", "elevated", "normal", "elevated", "normal");
  }
}

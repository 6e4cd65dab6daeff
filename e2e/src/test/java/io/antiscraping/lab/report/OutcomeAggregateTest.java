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

/** The report's aggregate-defense figures: reloads in the busiest minute, arrivals denied, protected-route containment. */
class OutcomeAggregateTest {

  @Test
  void peakReloadsAreTheMostInAnySixtySeconds() {
    Timeline t = new Timeline();
    // a reload every 20 s for 2 minutes, then a burst of 5 within 3 s at 130 s
    int reloads = 0;
    for (long ms = 0; ms <= 180_000; ms += 500) {
      if (ms > 0 && ms <= 120_000 && ms % 20_000 == 0) {
        reloads++;
      }
      if (ms >= 130_000 && ms < 132_500) {
        reloads++;
      }
      t.add(new Timeline.Sample(ms, "normal", List.of(), 0, 0, reloads));
    }
    // window (72.5 s, 132.5 s]: reloads at 80, 100, 120 and the burst of 5
    assertThat(OutcomeCalculator.peakPerMinute(t)).isEqualTo(8.0);
    assertThat(OutcomeCalculator.peakPerMinute(new Timeline())).isNull();
  }

  @Test
  void arrivalsAreTheShoppersWhoseFirstRequestCameDuringTheAttack(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("s.yaml");
    Files.writeString(f, """
        name: s
        policy: p.yaml
        duration: 60s
        clients:
          - {name: shoppers, class: shopper, count: 2, addresses: 100.64.0.0/24}
          - {name: crawler, class: crawler, count: 1, addresses: 203.0.113.0/28, ratePerClient: 1, start: 10s, stop: 40s}
        """);
    Scenario s = Scenario.load(f);
    List<RequestRecord> shoppers = new ArrayList<>();
    // an early shopper (first request at 1 s) denied once during the attack: not an arrival
    shoppers.add(shopper(1_000, "shoppers#0", "product", 200));
    shoppers.add(shopper(15_000, "shoppers#0", "profile", 403));
    // an arrival at 20 s from one address, then from another (mobile): one visitor, denied on a profile
    shoppers.add(shopper(20_000, "shoppers#1", "product", 200));
    shoppers.add(shopper(25_000, "shoppers#1", "profile", 403));
    shoppers.add(shopper(30_000, "shoppers#1", "comments", 200));
    OutcomeCalculator.Arrivals a = OutcomeCalculator.arrivals(s, shoppers);
    assertThat(a).isEqualTo(new OutcomeCalculator.Arrivals(3, 1, 2, 1));
  }

  @Test
  void containmentCountsTheProtectedRoutesOnly() {
    List<RequestRecord> mimic = new ArrayList<>();
    for (long t = 0; t < 30_000; t += 100) {
      boolean product = (t / 100) % 3 != 0;
      // product pages always served (the catalogue is public); profiles denied from 10 s on
      int status = product ? 200 : t < 10_000 ? 200 : 403;
      mimic.add(new RequestRecord(t, ClientClass.CRAWLER, "c", "198.18.0.1", product ? "product" : "profile",
          (int) t, status, status == 200 ? 1 : 0, 1));
    }
    assertThat(OutcomeCalculator.timeToContain(mimic)).isNull();
    assertThat(OutcomeCalculator.timeToContain(mimic.stream().filter(RequestRecord::protectedRoute).toList()))
        .isEqualTo(10.0);
  }

  static RequestRecord shopper(long at, String visitor, String kind, int status) {
    return new RequestRecord(at, ClientClass.SHOPPER, "shoppers", "100.64.0." + at % 7, kind, 1, status,
        status == 200 ? 1 : 0, 1, visitor);
  }
}

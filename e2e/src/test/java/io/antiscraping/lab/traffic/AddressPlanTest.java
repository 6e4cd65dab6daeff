package io.antiscraping.lab.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.antiscraping.lab.scenario.Scenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AddressPlanTest {

  @TempDir
  Path dir;

  Scenario scenario(String group) throws Exception {
    Path f = dir.resolve("s.yaml");
    Files.writeString(f, "name: s\npolicy: p.yaml\nseed: 7\nduration: 100s\nclients:\n  - " + group + "\n");
    return Scenario.load(f);
  }

  AddressPlan plan(String group) throws Exception {
    Scenario s = scenario(group);
    return AddressPlan.of(s, s.clients().get(0));
  }

  @Test
  void byDefaultEveryClientHasTheNextAddressOfTheCidrForTheWholeRun() throws Exception {
    AddressPlan p = plan("{name: c, class: crawler, count: 3, addresses: 198.18.0.0/16, ratePerClient: 1}");
    assertThat(p.pool()).containsExactly("198.18.0.1", "198.18.0.2", "198.18.0.3");
    assertThat(p.address(2, 0)).isEqualTo("198.18.0.3");
    assertThat(p.address(2, 90_000)).isEqualTo("198.18.0.3");
  }

  @Test
  void spreadScattersTheAddressesAcrossTheCidrReproducibly() throws Exception {
    String g = "{name: c, class: crawler, count: 1000, addresses: 198.18.0.0/15, spread: true, ratePerClient: 0.1}";
    AddressPlan p = plan(g);
    assertThat(p.pool()).hasSize(1000).doesNotHaveDuplicates().allMatch(a -> Addresses.contains("198.18.0.0/15", a));
    Set<String> slash24s = new HashSet<>();
    p.pool().forEach(a -> slash24s.add(a.substring(0, a.lastIndexOf('.'))));
    // 1,000 addresses over 512 /24s: most /24s hold one or two, none holds many
    assertThat(slash24s.size()).isGreaterThan(400);
    assertThat(p.pool()).isEqualTo(plan(g).pool());
    assertThat(p.pool()).isNotEqualTo(Addresses.take("198.18.0.0/15", 1000));
    assertThat(Addresses.spread("192.0.2.0/29", 6, 1)).containsExactlyInAnyOrder(Addresses.take("192.0.2.0/29", 6)
        .toArray(String[]::new));
  }

  @Test
  void sharedAddressesPutSeveralClientsBehindOneAddress() throws Exception {
    AddressPlan p = plan("{name: cgnat, class: shopper, count: 48, sharedAddresses: 4, addresses: 100.64.7.0/24}");
    assertThat(p.clients()).isEqualTo(48);
    assertThat(p.pool()).containsExactly("100.64.7.1", "100.64.7.2", "100.64.7.3", "100.64.7.4");
    assertThat(p.address(0, 0)).isEqualTo(p.address(4, 50_000)).isEqualTo("100.64.7.1");
    assertThatThrownBy(() -> plan("{name: x, class: shopper, count: 2, sharedAddresses: 3, addresses: 100.64.7.0/24}"))
        .hasMessageContaining("sharedAddresses");
  }

  @Test
  void rotationGivesEveryClientAFreshAddressEveryIntervalStaggeredAndNeverReused() throws Exception {
    AddressPlan p = plan("{name: r, class: crawler, count: 60, rotateEvery: 10s, addresses: 198.18.0.0/16, "
        + "ratePerClient: 0.5}");
    Set<String> used = new HashSet<>();
    for (int c = 0; c < 60; c++) {
      for (long t = 0; t < 100_000; t += 1_000) {
        String a = p.address(c, t);
        used.add(a);
        assertThat(a).isEqualTo(p.address(c, t)); // deterministic
      }
    }
    // 100 s at 10 s: 10 or 11 addresses per client, none shared between clients
    assertThat(used.size()).isBetween(600, 660);
    for (int c = 0; c < 60; c++) {
      List<String> mine = new java.util.ArrayList<>();
      for (long t = 0; t < 100_000; t += 1_000) {
        if (!mine.contains(p.address(c, t))) {
          mine.add(p.address(c, t));
        }
      }
      assertThat(mine.size()).isBetween(10, 11);
    }
    // not everyone switches at once
    long switchingAt5s = java.util.stream.IntStream.range(0, 60)
        .filter(c -> !p.address(c, 4_999).equals(p.address(c, 5_000))).count();
    assertThat(switchingAt5s).isLessThanOrEqualTo(1);
  }

  @Test
  void rotationAndSharingDoNotCombineAndRotationIsAtLeastASecond() {
    assertThatThrownBy(() -> plan("{name: x, class: shopper, count: 4, sharedAddresses: 2, rotateEvery: 10s, "
        + "addresses: 100.64.7.0/24}")).hasMessageContaining("do not combine");
    assertThatThrownBy(() -> plan("{name: x, class: crawler, count: 4, rotateEvery: 500ms, ratePerClient: 1, "
        + "addresses: 100.64.7.0/24}")).hasMessageContaining("at least 1s");
  }

  @Test
  void stayForEndsEachVisitorsOwnStay() throws Exception {
    Scenario s = scenario("{name: arrivals, class: shopper, count: 30, start: 20s, ramp: 60s, stayFor: 25s, "
        + "addresses: 100.64.9.0/24}");
    assertThat(s.clients().get(0).stayTime()).hasSeconds(25);
    assertThat(s.clients().get(0).rampTime()).hasSeconds(60);
  }
}

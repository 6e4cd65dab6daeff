package io.antiscraping.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.antiscraping.api.v1alpha1.Ban;
import io.antiscraping.api.v1alpha1.DecisionMemory;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.ScrapingPolicyStatus;
import io.antiscraping.api.v1alpha1.Signal;
import io.antiscraping.operator.decision.EngineState.BanEntry;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StateCodecTest {

  static final ObjectMapper JSON = new ObjectMapper();

  static ScrapingPolicyStatus viaJson(ScrapingPolicyStatus status) throws Exception {
    return JSON.readValue(JSON.writeValueAsBytes(status), ScrapingPolicyStatus.class);
  }

  static Map<String, Double> m(Object... kv) {
    Map<String, Double> out = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      out.put((String) kv[i], ((Number) kv[i + 1]).doubleValue());
    }
    return out;
  }

  @Test
  void aRoundTripThroughTheStatusKeepsEverythingTheDecisionsNeed() throws Exception {
    Run run = new Run(Policies.ladder());
    Map<String, Double> c = m("192.0.2.1", 30, "2001:db8:1:2::7", 50, "198.51.100.9", 25);
    run.at(0, Run.readings(5000.0, c));
    run.at(60, Run.readings(5000.0, c));
    Decision d = run.atMillis(61_234, Run.readings(250.0, m("192.0.2.77", 99)));
    ScrapingPolicyStatus status = new ScrapingPolicyStatus();
    StateCodec.toStatus(d, status);

    assertThat(status.getLevel()).isEqualTo("high");
    assertThat(status.getLevelSince()).isEqualTo("2026-03-01T12:01:00Z");
    assertThat(status.getLastEvaluation()).isEqualTo("2026-03-01T12:01:01.234Z");
    assertThat(status.getBannedCount()).isEqualTo(3);
    assertThat(status.getBanned()).extracting(Ban::getClient)
        .containsExactly("192.0.2.1/32", "198.51.100.9/32", "2001:db8:1:2::/64");
    assertThat(status.getBanned().get(2).getReason()).isEqualTo("2001:db8:1:2::7/128: clients=50 > 20 for 1m");
    assertThat(status.getSignals()).extracting(s -> s.getName() + "=" + s.getValue())
        .containsExactly("reads=250.0", "clients=99.0");
    assertThat(status.getMemory().getCapped()).isNull();

    EngineState back = StateCodec.fromStatus(run.spec, viaJson(status), Policies.T0.plusSeconds(62));
    EngineState orig = d.next();
    assertThat(back.level()).isEqualTo(orig.level());
    assertThat(back.levelSince()).isEqualTo(orig.levelSince());
    assertThat(back.recommendations()).isEqualTo(orig.recommendations());
    assertThat(back.conditionsTrueSince()).isEqualTo(orig.conditionsTrueSince());
    assertThat(back.offendersRule()).isEqualTo(orig.offendersRule());
    assertThat(back.offending().keySet()).isEqualTo(orig.offending().keySet());
    assertThat(back.offending().get(Cidr.parse("192.0.2.77").orElseThrow()).since())
        .isEqualTo(Instant.parse("2026-03-01T12:01:01.234Z"));
    assertThat(back.bans()).isEqualTo(orig.bans());
    assertThat(back.lastGoodMetrics()).isEqualTo(orig.lastGoodMetrics());
    assertThat(back.metricsUnavailableSince()).isEqualTo(orig.metricsUnavailableSince());
    assertThat(back.lastEvaluation()).isEqualTo(orig.lastEvaluation());
  }

  @Test
  void aNullStatusIsAPolicyNeverEvaluated() {
    ScrapingPolicySpec spec = Policies.ladder();
    assertThat(StateCodec.fromStatus(spec, null, Policies.T0)).isEqualTo(EngineState.initial(spec, Policies.T0));
    assertThat(StateCodec.fromStatus(spec, new ScrapingPolicyStatus(), Policies.T0))
        .isEqualTo(EngineState.initial(spec, Policies.T0));
  }

  @Test
  void garbageDegradesSafelyAndNeverThrows() {
    ScrapingPolicySpec spec = Policies.ladder();
    ScrapingPolicyStatus s = new ScrapingPolicyStatus();
    s.setLevel("no-such-level");
    s.setLevelSince("yesterday");
    s.setLastEvaluation("2026-13-45T99:00:00Z");
    s.setBanned(new ArrayList<>(List.of(new Ban("not-a-cidr", "2026-03-01T13:00:00Z", "x"),
        new Ban("192.0.2.1", "soon", "x"), new Ban(null, null, null), new Ban("192.0.2.9/32",
            "2026-03-01T13:00:00+01:00", "kept"))));
    DecisionMemory m = new DecisionMemory();
    m.setRecommendations(new ArrayList<>(List.of(new DecisionMemory.Recommendation("gone", "2026-03-01T11:59:00Z"),
        new DecisionMemory.Recommendation("elevated", "garbage"), new DecisionMemory.Recommendation(null, null))));
    m.setConditionsTrueSince(new ArrayList<>(List.of(new DecisionMemory.Since(null, "x", 1.0),
        new DecisionMemory.Since("elevated/0:reads>200", "not a time", null))));
    m.setOffenders("%%% not base64 %%%");
    m.setLastGoodMetrics("");
    m.setMetricsUnavailableSince("never");
    s.setMemory(m);
    EngineState st = StateCodec.fromStatus(spec, s, Policies.T0);
    assertThat(st.level()).isEqualTo("normal");
    assertThat(st.levelSince()).isEqualTo(Policies.T0);
    assertThat(st.recommendations()).isEmpty();
    assertThat(st.conditionsTrueSince()).isEmpty();
    assertThat(st.offending()).isEmpty();
    assertThat(st.bans()).containsExactly(Map.entry(Cidr.parse("192.0.2.9").orElseThrow(),
        new BanEntry(Instant.parse("2026-03-01T12:00:00Z"), "kept")));
    assertThat(st.lastGoodMetrics()).isNull();
    // and the engine carries on from it
    Decision d = new DecisionEngine().decide(spec, st, Run.reads(1), Policies.T0.plusSeconds(30));
    assertThat(d.next().level()).isEqualTo("normal");
    assertThat(d.plan().bans()).as("the listed ban expired at 12:00Z").isEmpty();
  }

  @Test
  void damagedCompactListsKeepWhatPrecedesTheDamage() {
    Instant t = Policies.T0;
    List<Map.Entry<Cidr, Instant>> entries = List.of(Map.entry(Cidr.parse("192.0.2.1").orElseThrow(), t),
        Map.entry(Cidr.parse("2001:db8::/32").orElseThrow(), t.plusMillis(1500)),
        Map.entry(Cidr.parse("0.0.0.0/0").orElseThrow(), t.plusSeconds(3600)));
    String blob = CompactCodec.encode(entries);
    assertThat(CompactCodec.decode(blob, 100)).isEqualTo(entries);
    byte[] raw = java.util.Base64.getDecoder().decode(blob);
    for (int cut = 0; cut < raw.length; cut++) {
      byte[] part = java.util.Arrays.copyOf(raw, cut);
      List<Map.Entry<Cidr, Instant>> got = CompactCodec.decode(java.util.Base64.getEncoder().encodeToString(part), 100);
      assertThat(got).isEqualTo(entries.subList(0, got.size()));
    }
    byte[] bad = raw.clone();
    bad[0] = 9;
    assertThat(CompactCodec.decode(java.util.Base64.getEncoder().encodeToString(bad), 100)).isEmpty();
    assertThat(CompactCodec.decode(new String(new byte[] {1, 2, 3}, StandardCharsets.ISO_8859_1), 100)).isEmpty();
    assertThat(CompactCodec.decode(blob, 2)).hasSize(2);
  }

  @Test
  void aLevelAboveTheBaselineWithoutMemoryIsHeldForTheCooldown() {
    ScrapingPolicySpec spec = Policies.ladder();
    ScrapingPolicyStatus s = new ScrapingPolicyStatus();
    s.setLevel("high");
    s.setLevelSince("2026-03-01T11:00:00Z");
    s.setLastEvaluation("2026-03-01T11:59:30Z");
    EngineState st = StateCodec.fromStatus(spec, s, Policies.T0);
    DecisionEngine engine = new DecisionEngine();
    assertThat(engine.decide(spec, st, Run.reads(1), Policies.T0).next().level()).isEqualTo("high");
    assertThat(engine.decide(spec, st, Run.reads(1), Instant.parse("2026-03-01T12:09:29Z")).next().level())
        .isEqualTo("high");
    assertThat(engine.decide(spec, st, Run.reads(1), Instant.parse("2026-03-01T12:09:30Z")).next().level())
        .isEqualTo("normal");
  }

  /** 5000 bans (the schema's maximum) and thousands of pending offenders, worst-case address shapes. */
  @Test
  void theStatusStaysWellUnder256KiB() throws Exception {
    for (boolean v6 : new boolean[] {false, true}) {
      ScrapingPolicySpec spec = Policies.withOffenders(Policies.ladder(), o -> {
        o.setMaxBanned(5000);
        o.setIpv6PrefixLength(128);
        return o;
      });
      for (int i = 0; i < 30; i++) {
        spec.getSignals().add(Signal.builder().name("extra-" + i).query("x").build());
      }
      Random rnd = new Random(42);
      Map<String, Double> wave1 = new HashMap<>();
      Map<String, Double> wave2 = new HashMap<>();
      for (int i = 0; i < 5000; i++) {
        wave1.put(randomClient(rnd, v6), 100.0 + rnd.nextInt(1000));
      }
      for (int i = 0; i < 4000; i++) {
        wave2.put(randomClient(rnd, v6), 100.0 + rnd.nextInt(1000));
      }
      Run run = new Run(spec);
      run.at(0, withErrors(spec, Run.readings(5000.0, wave1)));
      Decision d = run.at(60, withErrors(spec, Run.readings(5000.0, wave1)));
      assertThat(d.plan().bans()).hasSize(5000);
      Map<String, Double> both = new HashMap<>(wave1);
      both.putAll(wave2);
      d = run.at(90, withErrors(spec, Run.readings(5000.0, both)));
      assertThat(d.next().offending()).hasSize(9000);
      // each evaluation at a distinct time, so no two bans share an expiry
      ScrapingPolicyStatus status = new ScrapingPolicyStatus();
      StateCodec.toStatus(d, status);
      byte[] json = JSON.writeValueAsBytes(status);
      System.out.printf("status with 5000 %s bans and 9000 offenders: %d bytes%n", v6 ? "IPv6 /128" : "IPv4",
          json.length);
      assertThat(json.length).as("status bytes with %s clients", v6 ? "IPv6 /128" : "IPv4")
          .isLessThan(v6 ? 200 * 1024 : 100 * 1024);
      assertThat(status.getBanned()).hasSize(StateCodec.LISTED_BANS);
      assertThat(status.getBannedCount()).isEqualTo(5000);
      assertThat(status.getMemory().getCapped()).isTrue();
      EngineState back = StateCodec.fromStatus(spec, viaJson(status), Policies.T0.plusSeconds(91));
      assertThat(back.bans().keySet()).isEqualTo(d.next().bans().keySet());
      assertThat(back.offending()).hasSize(StateCodec.PERSISTED_OFFENDERS);
      assertThat(back.offending().keySet()).as("the not-yet-banned are kept first")
          .allSatisfy(c -> assertThat(wave1).doesNotContainKey(c.ipv6() ? ipv6Key(c) : c.toString()
              .replace("/32", "")));
    }
  }

  private static String ipv6Key(Cidr c) {
    return c.toString().replace("/128", "");
  }

  private static Readings withErrors(ScrapingPolicySpec spec, Readings r) {
    Map<String, SignalReading> m = new HashMap<>(r.bySignal());
    for (Signal s : spec.getSignals()) {
      if (s.getName().startsWith("extra-")) {
        m.put(s.getName(), new SignalReading.Unavailable("Prometheus answered HTTP 422 (execution): "
            + "x".repeat(2000)));
      }
    }
    return new Readings(m);
  }

  private static String randomClient(Random rnd, boolean v6) {
    if (!v6) {
      // Public unicast first octets (127/8 is never banned).
      int first = 1 + rnd.nextInt(222);
      return (first >= 127 ? first + 1 : first) + "." + rnd.nextInt(256) + "." + rnd.nextInt(256) + "."
          + rnd.nextInt(256);
    }
    byte[] b = new byte[16];
    rnd.nextBytes(b);
    b[0] = 0x20;
    return new Cidr(true, new BigInteger(1, b), 128).toString().replace("/128", "");
  }
}

package io.antiscraping.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.api.v1alpha1.Ban;
import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.api.v1alpha1.ScrapingPolicyStatus;
import io.antiscraping.operator.apiserver.ApiServer;
import io.antiscraping.operator.apiserver.FaultProxy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Security finding 13 (lost status writes): the status is the decision engine's memory, bans included. Two
 * writers on the real API server, as an old leader that has not yet noticed it lost its Lease and the new leader:
 * the old one's write, computed from the status it read before the new leader banned, must not roll the bans back.
 */
class StatusWriterIT {

  private ApiServer api;
  private KubernetesClient user;
  private String ns;
  private final Map<String, AtomicInteger> writes = new ConcurrentHashMap<>();

  @BeforeEach
  void start() {
    api = ApiServer.start("StatusWriterIT");
    user = api.userClient();
    ns = api.namespace("status");
    user.resource(IngressNginxEnforcementIT.policy(ns, "storefront", s -> { })).create();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private StatusWriter writer() {
    return new StatusWriter(api.operatorClient(), (kind, verb) ->
        writes.computeIfAbsent(verb, v -> new AtomicInteger()).incrementAndGet(), Clock.systemUTC());
  }

  private ScrapingPolicy read() {
    return user.resources(ScrapingPolicy.class).inNamespace(ns).withName("storefront").get();
  }

  private static ScrapingPolicyStatus withBans(ScrapingPolicyStatus base, String level, String... clients) {
    ScrapingPolicyStatus s = base.toBuilder().level(level).banned(new ArrayList<>()).build();
    for (String c : clients) {
      s.getBanned().add(Ban.builder().client(c).until("2030-01-01T00:00:00Z").reason("test").build());
    }
    s.setBannedCount(clients.length);
    return s;
  }

  private static List<String> bans(ScrapingPolicy p) {
    return p.getStatus() == null ? List.of() : p.getStatus().getBanned().stream().map(Ban::getClient).toList();
  }

  @Test
  void anOldLeadersWriteDoesNotRollBackTheNewLeadersBans() {
    ScrapingPolicy seenByBoth = read();
    StatusWriter oldLeader = writer();
    StatusWriter newLeader = writer();
    ScrapingPolicyStatus oldView = oldLeader.current(seenByBoth);

    ScrapingPolicyStatus banned = withBans(newLeader.current(seenByBoth), "attack", "203.0.113.7/32");
    assertThat(newLeader.write(seenByBoth, newLeader.current(seenByBoth), banned))
        .isEqualTo(StatusWriter.Outcome.WRITTEN);

    // the old leader, its cache still at the version before the ban, decides nothing is banned and writes
    ScrapingPolicyStatus stale = withBans(oldView, "normal");
    assertThat(oldLeader.write(seenByBoth, oldView, stale)).isEqualTo(StatusWriter.Outcome.CONFLICT);
    assertThat(bans(read())).containsExactly("203.0.113.7/32");
    assertThat(read().getStatus().getLevel()).isEqualTo("attack");

    // it read the policy again: its next evaluation starts from the new leader's bans, and its write goes through
    ScrapingPolicyStatus fresh = oldLeader.current(seenByBoth);
    assertThat(fresh.getBanned()).extracting(Ban::getClient).containsExactly("203.0.113.7/32");
    ScrapingPolicyStatus more = withBans(fresh, "attack", "203.0.113.7/32", "198.51.100.9/32");
    assertThat(oldLeader.write(seenByBoth, fresh, more)).isEqualTo(StatusWriter.Outcome.WRITTEN);
    assertThat(bans(read())).containsExactly("203.0.113.7/32", "198.51.100.9/32");
    assertThat(writes.get("conflict")).hasValue(1);
  }

  /**
   * Fault injection: the write is carried out but its answer lost; the client's retry then meets the new
   * resourceVersion (409). The writer recognises its own status and reports it written, so that the reconcile records
   * the decision's Events instead of evaluating again from a status that already holds the decision.
   */
  @Test
  void aWriteWhoseAnswerWasLostIsRecognisedAsWritten() {
    ScrapingPolicy cached = read();
    try (FaultProxy proxy = FaultProxy.start(api.plane().adminConfig());
         KubernetesClient through = new KubernetesClientBuilder().withConfig(proxy.clientConfig()).build()) {
      // the first write's answer is lost (each kind that is on is injected at its first eligible request)
      proxy.faults(new FaultProxy.Faults(0, 0, 1e-9, 0, 0, 0));
      StatusWriter writer = new StatusWriter(through, (kind, verb) ->
          writes.computeIfAbsent(verb, v -> new AtomicInteger()).incrementAndGet(), Clock.systemUTC());
      ScrapingPolicyStatus banned = withBans(writer.current(cached), "attack", "203.0.113.7/32");

      assertThat(writer.write(cached, writer.current(cached), banned)).isEqualTo(StatusWriter.Outcome.WRITTEN);
      assertThat(proxy.counts()).containsEntry("lose", 1);
      assertThat(bans(read())).containsExactly("203.0.113.7/32");
      assertThat(writer.current(cached).getBanned()).extracting(Ban::getClient).containsExactly("203.0.113.7/32");
      assertThat(writes).doesNotContainKey("conflict");
    }
  }

  @Test
  void consecutiveWritesOfOneWriterNeedNoFreshCacheAndOnlyChangesAreWritten() {
    ScrapingPolicy cached = read();
    StatusWriter writer = writer();
    ScrapingPolicyStatus first = withBans(writer.current(cached), "attack", "203.0.113.7/32");
    assertThat(writer.write(cached, writer.current(cached), first)).isEqualTo(StatusWriter.Outcome.WRITTEN);
    // the informer cache has not seen the first write yet: the writer's own version is the precondition
    ScrapingPolicyStatus second = withBans(writer.current(cached), "attack", "203.0.113.7/32", "203.0.113.8/32");
    assertThat(writer.write(cached, writer.current(cached), second)).isEqualTo(StatusWriter.Outcome.WRITTEN);
    assertThat(writer.write(cached, writer.current(cached), writer.current(cached)))
        .isEqualTo(StatusWriter.Outcome.UNCHANGED);

    // the cache caught up: its version is the precondition now
    ScrapingPolicy caughtUp = read();
    assertThat(writer.current(caughtUp).getBanned()).hasSize(2);
    ScrapingPolicyStatus third = withBans(writer.current(caughtUp), "normal");
    assertThat(writer.write(caughtUp, writer.current(caughtUp), third)).isEqualTo(StatusWriter.Outcome.WRITTEN);
    assertThat(bans(read())).isEmpty();
    assertThat(writes.get("patch")).hasValue(3);
    assertThat(writes).doesNotContainKey("conflict");

    // the status subresource's fields are managed by the operator's field manager
    assertThat(read().getMetadata().getManagedFields())
        .anySatisfy(m -> {
          assertThat(m.getManager()).isEqualTo("antiscraping-operator");
          assertThat(m.getSubresource()).isEqualTo("status");
        });
  }
}

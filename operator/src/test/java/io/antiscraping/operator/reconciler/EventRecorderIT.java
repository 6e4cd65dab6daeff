package io.antiscraping.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.operator.apiserver.ApiServer;
import io.antiscraping.operator.apiserver.FaultProxy;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fault injection on Events, through a proxy in front of the real API server: a refused create is tried again, and a
 * create carried out whose answer was lost is recorded once and counted as written (the retry's 409 AlreadyExists
 * is not a failure).
 */
class EventRecorderIT {

  private ApiServer api;
  private KubernetesClient user;
  private String ns;
  private ScrapingPolicy policy;

  @BeforeEach
  void start() {
    api = ApiServer.start("EventRecorderIT");
    user = api.userClient();
    ns = api.namespace("events");
    policy = user.resource(IngressNginxEnforcementIT.policy(ns, "storefront", s -> { })).create();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private List<Event> recorded(String reason) {
    return user.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> reason.equals(e.getReason())).toList();
  }

  private final java.util.concurrent.atomic.AtomicInteger created = new java.util.concurrent.atomic.AtomicInteger();

  private void recordThrough(FaultProxy.Faults faults, String reason) {
    try (FaultProxy proxy = FaultProxy.start(api.plane().adminConfig());
         KubernetesClient through = new KubernetesClientBuilder().withConfig(proxy.clientConfig()).build()) {
      proxy.faults(faults);
      new EventRecorder(through, Clock.systemUTC(), (kind, verb) -> created.incrementAndGet()).normal(policy, reason, "a decision");
      assertThat(proxy.counts()).as("the fault was injected").containsKey(faults.refuse() > 0 ? "refuse" : "lose");
    }
  }

  @Test
  void aRefusedCreateIsTriedAgain() {
    // the first request is refused (each kind that is on is injected at its first eligible request)
    recordThrough(new FaultProxy.Faults(1e-9, 0, 0, 0, 0, 0), "ClientsBanned");
    assertThat(recorded("ClientsBanned")).singleElement()
        .satisfies(e -> assertThat(e.getMessage()).isEqualTo("a decision"));
    assertThat(created).hasValue(1);
  }

  @Test
  void aCreateWhoseAnswerWasLostIsRecordedOnce() {
    recordThrough(new FaultProxy.Faults(0, 0, 1e-9, 0, 0, 0), "LevelRaised");
    assertThat(recorded("LevelRaised")).hasSize(1);
    assertThat(created).as("the lost answer's create is counted as the write it was").hasValue(1);
  }
}

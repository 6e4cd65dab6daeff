package io.antiscraping.operator.reconciler;

import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.operator.decision.Sanitizer;
import io.antiscraping.operator.enforcement.ApiWriteListener;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Kubernetes Events on the policy, so {@code kubectl describe scrapingpolicy} tells what the operator did. */
public final class EventRecorder {

  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  private static final int MAX_MESSAGE = 1024;
  private static final AtomicLong SEQ = new AtomicLong();
  /** Attempts per Event on a refused or unanswered create (as client-go's recorder, which retries too). */
  private static final int ATTEMPTS = 3;
  private static final long RETRY_PAUSE_MILLIS = 200;
  private static final int HTTP_CONFLICT = 409;

  private final KubernetesClient client;
  private final Clock clock;
  private final ApiWriteListener writes;

  public EventRecorder(KubernetesClient client, Clock clock, ApiWriteListener writes) {
    this.client = client;
    this.clock = clock;
    this.writes = writes;
  }

  public void normal(ScrapingPolicy policy, String reason, String message) {
    record(policy, "Normal", reason, message);
  }

  public void warning(ScrapingPolicy policy, String reason, String message) {
    record(policy, "Warning", reason, message);
  }

  private void record(ScrapingPolicy policy, String type, String reason, String message) {
    String ns = policy.getMetadata().getNamespace();
    String name = policy.getMetadata().getName();
    LOG.info("policy={}/{} event={} {}", ns, name, reason, message);
    String now = clock.instant().toString();
    String msg = Sanitizer.truncate(message, MAX_MESSAGE);
    Event event = new EventBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name + "." + Long.toHexString(clock.millis()) + Long.toHexString(SEQ.incrementAndGet()))
        .endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder()
            .withApiVersion(policy.getApiVersion()).withKind(policy.getKind())
            .withNamespace(ns).withName(name).withUid(policy.getMetadata().getUid())
            .withResourceVersion(policy.getMetadata().getResourceVersion()).build())
        .withType(type)
        .withReason(reason)
        .withMessage(msg)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withCount(1)
        .withNewSource().withComponent("antiscraping-operator").endSource()
        .withReportingComponent("antiscraping-operator")
        .build();
    for (int attempt = 1; ; attempt++) {
      try {
        client.v1().events().inNamespace(ns).resource(event).create();
        writes.written("Event", "create");
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() == HTTP_CONFLICT) {
          // an earlier attempt (ours or the client's retry) was carried out and its answer lost: the Event exists
          // (its name is unique)
          writes.written("Event", "create");
          return;
        }
        boolean transient_ = e.getCode() == 0 || e.getCode() == 429 || e.getCode() >= 500;
        if (!transient_ || attempt >= ATTEMPTS) {
          LOG.warn("policy={}/{} could not record event {}: {}", ns, name, reason,
              io.antiscraping.operator.decision.Sanitizer.sanitize(e.getMessage()));
          return;
        }
      }
      try {
        Thread.sleep(RETRY_PAUSE_MILLIS * attempt);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}

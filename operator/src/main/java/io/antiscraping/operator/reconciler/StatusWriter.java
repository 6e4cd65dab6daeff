package io.antiscraping.operator.reconciler;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.api.v1alpha1.ScrapingPolicyStatus;
import io.antiscraping.operator.enforcement.ApiWriteListener;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes the status subresource with a JSON patch replacing {@code /status} as a whole (so nothing stale survives),
 * and only when it changed: an evaluation that changes nothing but {@code lastEvaluation} writes nothing, so a
 * steady state costs zero API writes. Signal values that merely drift (rates always do) are written at most once per
 * {@link #SIGNAL_REFRESH}, unless something else changes with them. Remembers what it wrote, because the informer cache may not have seen the
 * write yet when the next evaluation starts and the engine's memory lives in the status.
 */
public final class StatusWriter {

  private final KubernetesClient client;
  private final ObjectMapper json;
  private final ApiWriteListener writes;
  /** How often drifting signal values alone are written to the status. */
  public static final Duration SIGNAL_REFRESH = Duration.ofSeconds(60);

  private final Map<String, ScrapingPolicyStatus> lastWritten = new ConcurrentHashMap<>();
  private final Map<String, Instant> lastWriteTime = new ConcurrentHashMap<>();
  private final Clock clock;

  public StatusWriter(KubernetesClient client, ApiWriteListener writes, Clock clock) {
    this.client = client;
    this.clock = clock;
    this.json = new ObjectMapper();
    this.writes = writes;
  }

  /** The freshest status known for the policy: ours if we wrote since the cache was filled. Never null. */
  public ScrapingPolicyStatus current(ScrapingPolicy policy) {
    ScrapingPolicyStatus mine = lastWritten.get(policy.getMetadata().getUid());
    ScrapingPolicyStatus source = mine != null ? mine : policy.getStatus();
    return source == null ? new ScrapingPolicyStatus() : copy(source);
  }

  /** Writes {@code next} unless it equals {@code previous} apart from lastEvaluation. Returns whether it wrote. */
  public boolean write(ScrapingPolicy policy, ScrapingPolicyStatus previous, ScrapingPolicyStatus next) {
    if (same(previous, next, false)) {
      return false;
    }
    String uid = policy.getMetadata().getUid();
    Instant now = clock.instant();
    Instant last = lastWriteTime.get(uid);
    if (same(previous, next, true) && last != null && last.plus(SIGNAL_REFRESH).isAfter(now)) {
      return false;
    }
    ArrayNode patch = json.createArrayNode();
    ObjectNode op = patch.addObject();
    op.put("op", "add").put("path", "/status");
    op.set("value", json.valueToTree(next));
    client.resources(ScrapingPolicy.class).inNamespace(policy.getMetadata().getNamespace())
        .withName(policy.getMetadata().getName()).subresource("status")
        // No fieldManager query parameter here: the test API server then silently drops status patches.
        .patch(PatchContext.of(PatchType.JSON), patch.toString());
    writes.written("ScrapingPolicy/status", "patch");
    lastWritten.put(uid, copy(next));
    lastWriteTime.put(uid, now);
    return true;
  }

  public void forget(ScrapingPolicy policy) {
    lastWritten.remove(policy.getMetadata().getUid());
    lastWriteTime.remove(policy.getMetadata().getUid());
  }

  /** Equal apart from lastEvaluation (and, with {@code ignoreSignals}, the signal values). */
  private boolean same(ScrapingPolicyStatus a, ScrapingPolicyStatus b, boolean ignoreSignals) {
    ScrapingPolicyStatus x = copy(a);
    ScrapingPolicyStatus y = copy(b);
    x.setLastEvaluation(null);
    y.setLastEvaluation(null);
    if (ignoreSignals) {
      x.setSignals(null);
      y.setSignals(null);
    }
    return Objects.equals(json.valueToTree(x), json.valueToTree(y));
  }

  private ScrapingPolicyStatus copy(ScrapingPolicyStatus s) {
    return json.convertValue(json.valueToTree(s), ScrapingPolicyStatus.class);
  }
}

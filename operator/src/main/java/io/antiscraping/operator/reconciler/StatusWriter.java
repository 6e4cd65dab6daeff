package io.antiscraping.operator.reconciler;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.api.v1alpha1.ScrapingPolicyStatus;
import io.antiscraping.operator.enforcement.ApiWriteListener;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.HttpURLConnection;
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
 * {@link #SIGNAL_REFRESH}, unless something else changes with them. Remembers what it wrote, because the informer
 * cache may not have seen the write yet when the next evaluation starts and the engine's memory lives in the status.
 *
 * <p>Every write carries the resourceVersion of the status it was computed from (the patch sets
 * {@code metadata.resourceVersion}, which the API server checks as a precondition): a write based on a status
 * someone else has replaced since (an old leader that has not yet noticed it lost its Lease, a second instance)
 * is refused with 409 Conflict instead of rolling back their bans. The writer then reads the policy afresh, writes
 * nothing, and the next evaluation starts from the fresh status ({@link Outcome#CONFLICT}).
 */
public final class StatusWriter {

  /** The field manager of every write the operator makes. */
  public static final String FIELD_MANAGER = io.antiscraping.operator.enforcement.Enforcer.FIELD_MANAGER;

  private final KubernetesClient client;
  private final ObjectMapper json;
  private final ApiWriteListener writes;
  /** How often drifting signal values alone are written to the status. */
  public static final Duration SIGNAL_REFRESH = Duration.ofSeconds(60);

  /** What a write did. */
  public enum Outcome {
    /** Nothing changed (or only drifting signal values, within {@link #SIGNAL_REFRESH}): no request. */
    UNCHANGED,
    WRITTEN,
    /** The status was replaced by someone else since it was read: nothing written, the fresh one is remembered. */
    CONFLICT
  }

  /**
   * The status we know to be the newest, with its resourceVersion ({@code version}), and the resourceVersion the
   * policy had in the informer cache when we learnt it ({@code cacheVersion}): while the cache still shows that
   * version it has not caught up with us; once it shows any other than those two, it holds a newer change (a write
   * based on {@code cacheVersion} would have been refused otherwise).
   */
  private record Known(ScrapingPolicyStatus status, String version, String cacheVersion) {}

  private final Map<String, Known> known = new ConcurrentHashMap<>();
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
    Known mine = mine(policy);
    ScrapingPolicyStatus source = mine != null ? mine.status() : policy.getStatus();
    return source == null ? new ScrapingPolicyStatus() : copy(source);
  }

  /** Ours while the cache {@code policy} comes from has not caught up with it; null once it has. */
  private Known mine(ScrapingPolicy policy) {
    Known mine = known.get(policy.getMetadata().getUid());
    String cached = policy.getMetadata().getResourceVersion();
    return mine != null && Objects.equals(cached, mine.cacheVersion()) ? mine : null;
  }

  /**
   * Writes {@code next} unless it equals {@code previous} apart from lastEvaluation, on the precondition that the
   * status is still the one {@link #current} returned for {@code policy}.
   */
  public Outcome write(ScrapingPolicy policy, ScrapingPolicyStatus previous, ScrapingPolicyStatus next) {
    if (same(previous, next, false)) {
      return Outcome.UNCHANGED;
    }
    String uid = policy.getMetadata().getUid();
    Instant now = clock.instant();
    Instant last = lastWriteTime.get(uid);
    if (same(previous, next, true) && last != null && last.plus(SIGNAL_REFRESH).isAfter(now)) {
      return Outcome.UNCHANGED;
    }
    Known mine = mine(policy);
    String basedOn = mine != null ? mine.version() : policy.getMetadata().getResourceVersion();
    ArrayNode patch = json.createArrayNode();
    if (basedOn != null) {
      // a resourceVersion in the patched object is a precondition: 409 if the policy changed since
      patch.addObject().put("op", "add").put("path", "/metadata/resourceVersion").put("value", basedOn);
    }
    ObjectNode op = patch.addObject();
    op.put("op", "add").put("path", "/status");
    op.set("value", json.valueToTree(next));
    var resource = client.resources(ScrapingPolicy.class).inNamespace(policy.getMetadata().getNamespace())
        .withName(policy.getMetadata().getName());
    ScrapingPolicy written;
    try {
      written = resource.subresource("status").patch(new PatchContext.Builder().withPatchType(PatchType.JSON)
          .withFieldManager(FIELD_MANAGER).build(), patch.toString());
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      ScrapingPolicy fresh = resource.get();
      if (fresh != null && fresh.getStatus() != null && same(fresh.getStatus(), next, false)) {
        // our own write, carried out but its answer lost (the client's retry then met the new resourceVersion)
        writes.written("ScrapingPolicy/status", "patch");
        known.put(uid, new Known(copy(fresh.getStatus()), fresh.getMetadata().getResourceVersion(),
            policy.getMetadata().getResourceVersion()));
        lastWriteTime.put(uid, now);
        return Outcome.WRITTEN;
      }
      writes.written("ScrapingPolicy/status", "conflict");
      if (fresh != null) {
        known.put(uid, new Known(fresh.getStatus() == null ? new ScrapingPolicyStatus() : copy(fresh.getStatus()),
            fresh.getMetadata().getResourceVersion(), policy.getMetadata().getResourceVersion()));
      }
      return Outcome.CONFLICT;
    }
    writes.written("ScrapingPolicy/status", "patch");
    known.put(uid, new Known(copy(next), written.getMetadata().getResourceVersion(),
        policy.getMetadata().getResourceVersion()));
    lastWriteTime.put(uid, now);
    return Outcome.WRITTEN;
  }

  public void forget(ScrapingPolicy policy) {
    known.remove(policy.getMetadata().getUid());
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

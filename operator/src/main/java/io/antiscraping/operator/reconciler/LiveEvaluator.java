package io.antiscraping.operator.reconciler;

import io.antiscraping.api.v1alpha1.Durations;
import io.antiscraping.api.v1alpha1.Level;
import io.antiscraping.api.v1alpha1.PrometheusSource;
import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.ScrapingPolicyStatus;
import io.antiscraping.api.v1alpha1.SecretKeyRef;
import io.antiscraping.api.v1alpha1.Signal;
import io.antiscraping.api.v1alpha1.EnforcementCheck;
import io.antiscraping.operator.decision.Decision;
import io.antiscraping.operator.decision.EffectCheck;
import io.antiscraping.operator.decision.SignalReading;
import io.antiscraping.operator.decision.PublishedPlan;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import io.antiscraping.operator.decision.DecisionEngine;
import io.antiscraping.operator.decision.EngineState;
import io.antiscraping.operator.decision.Readings;
import io.antiscraping.operator.decision.SignalSummary;
import io.antiscraping.operator.decision.StateCodec;
import io.antiscraping.operator.detection.PrometheusEndpoint;
import io.antiscraping.operator.detection.SignalReader;
import io.antiscraping.operator.metrics.OperatorMetrics;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Detection then decision: reads the policy's signals from Prometheus and decides level and bans. */
public final class LiveEvaluator implements PolicyEvaluator {

  private final SignalReader reader;
  private final DecisionEngine engine;
  private final SecretSource secrets;
  private final URI defaultPrometheus;
  private final OperatorMetrics metrics;
  /** What each policy's data planes were last handed, by policy UID: the write budget's memory (lost on restart). */
  private final Map<String, PublishedPlan> published = new ConcurrentHashMap<>();
  /** Since when each published ban has been handed to the data planes, by policy UID (spec.enforcementCheck). */
  private final Map<String, EffectCheck.Handed> handed = new ConcurrentHashMap<>();

  public LiveEvaluator(SignalReader reader, DecisionEngine engine, SecretSource secrets, URI defaultPrometheus,
                       OperatorMetrics metrics) {
    this.reader = reader;
    this.engine = engine;
    this.secrets = secrets;
    this.defaultPrometheus = defaultPrometheus;
    this.metrics = metrics;
  }

  @Override
  public Evaluation evaluate(ScrapingPolicy policy, ScrapingPolicyStatus previous, Instant now) {
    ScrapingPolicySpec spec = policy.getSpec();
    String ns = policy.getMetadata().getNamespace();
    String name = policy.getMetadata().getName();
    EngineState state = StateCodec.fromStatus(spec, previous.getLevel() == null ? null : previous, now);
    Readings readings = read(ns, spec);
    String uid = policy.getMetadata().getUid() == null ? ns + "/" + name : policy.getMetadata().getUid();
    Decision d = engine.decide(spec, state, readings, now, published.get(uid));
    published.put(uid, d.published());
    EffectCheck.Result effect = null;
    EnforcementCheck check = spec.getEnforcementCheck();
    if (check == null || spec.isDryRun()) {
      handed.remove(uid);
    } else {
      EffectCheck.Handed h = handed.getOrDefault(uid, EffectCheck.Handed.NONE).next(d.plan().bans(), now);
      handed.put(uid, h);
      if (readings.get(check.getSignal()) instanceof SignalReading.PerClient served) {
        effect = EffectCheck.check(h, served.values(), check.getSignal(),
            Durations.parse(check.getAfter()).orElse(Duration.ofMinutes(1)),
            check.getMinClients() == null ? 1 : check.getMinClients(), now);
      }
    }

    for (SignalSummary s : d.signals()) {
      metrics.signal(ns, name, s.name(), s.value());
    }
    if (!state.level().equals(d.next().level())) {
      metrics.levelTransition(ns, name, state.level(), d.next().level());
    }
    List<Evaluation.Notice> notices = d.events().stream()
        .map(e -> new Evaluation.Notice(e.warning(), e.reason(), e.message())).toList();
    List<Level> levels = spec.getLevels();
    int index = 0;
    for (int i = 0; i < levels.size(); i++) {
      if (levels.get(i).getName().equals(d.plan().level())) {
        index = i;
      }
    }
    return new Evaluation(d.plan(), index, status -> StateCodec.toStatus(d, status), notices,
        new Evaluation.MetricsState(d.metrics().available(), d.metrics().reason(), d.metrics().message()),
        d.banCapReached(), d.knownGood() == null ? null : d.knownGood().clients(), d.held(), d.suspects().size(), d.suspectsMessage(),
        effect);
  }

  @Override
  public void forget(ScrapingPolicy policy) {
    String uid = policy.getMetadata().getUid() == null
        ? policy.getMetadata().getNamespace() + "/" + policy.getMetadata().getName() : policy.getMetadata().getUid();
    published.remove(uid);
    handed.remove(uid);
  }

  /** The readings, or every signal unavailable with the reason when the endpoint itself cannot be built. */
  private Readings read(String namespace, ScrapingPolicySpec spec) {
    List<Signal> signals = spec.getSignals() == null ? List.of() : spec.getSignals();
    if (signals.isEmpty()) {
      return Readings.of(java.util.Map.of());
    }
    PrometheusSource source = spec.getPrometheus();
    try {
      URI url = source == null || source.getUrl() == null ? defaultPrometheus : URI.create(source.getUrl());
      Duration timeout = source == null ? PrometheusEndpoint.DEFAULT_TIMEOUT
          : Durations.parse(source.getTimeout()).orElse(PrometheusEndpoint.DEFAULT_TIMEOUT);
      PrometheusEndpoint endpoint = new PrometheusEndpoint(url, Optional.empty(), Optional.empty(), timeout);
      if (source != null && source.getBearerTokenSecret() != null) {
        endpoint = endpoint.withBearerToken(secret(namespace, source.getBearerTokenSecret(), "bearer token"));
      }
      if (source != null && source.getCaSecret() != null) {
        endpoint = endpoint.withCaPem(secret(namespace, source.getCaSecret(), "CA bundle"));
      }
      return reader.read(endpoint, signals);
    } catch (SecretUnavailable e) {
      Readings.Builder b = Readings.builder();
      signals.forEach(s -> b.unavailable(s.getName(), e.getMessage()));
      return b.build();
    }
  }

  private String secret(String namespace, SecretKeyRef ref, String what) {
    return secrets.read(namespace, ref.getName(), ref.getKey()).orElseThrow(() -> new SecretUnavailable(
        "the Prometheus " + what + " is unavailable: key " + ref.getKey() + " of Secret " + namespace + "/"
            + ref.getName() + " does not exist or cannot be read"));
  }

  /** Reads a key of a Secret; empty when the Secret or key is missing or unreadable. */
  @FunctionalInterface
  public interface SecretSource {
    Optional<String> read(String namespace, String name, String key);
  }

  private static final class SecretUnavailable extends RuntimeException {
    SecretUnavailable(String message) {
      super(message, null, false, false);
    }
  }
}

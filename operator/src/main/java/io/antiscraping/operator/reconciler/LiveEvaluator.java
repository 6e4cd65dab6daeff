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
import io.antiscraping.operator.detection.PrometheusAccess;
import io.antiscraping.operator.detection.PrometheusEndpoint;
import io.antiscraping.operator.detection.TenantLimits;
import io.antiscraping.operator.detection.SignalReader;
import io.antiscraping.operator.metrics.OperatorMetrics;
import java.net.URI;
import java.time.Clock;
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
  private final PrometheusAccess access;
  private final TenantLimits limits;
  private final Clock clock;
  private final OperatorMetrics metrics;
  /** What each policy's data planes were last handed, by policy UID: the write budget's memory (lost on restart). */
  private final Map<String, PublishedPlan> published = new ConcurrentHashMap<>();
  /** Since when each published ban has been handed to the data planes, by policy UID (spec.enforcementCheck). */
  private final Map<String, EffectCheck.Handed> handed = new ConcurrentHashMap<>();

  public LiveEvaluator(SignalReader reader, DecisionEngine engine, SecretSource secrets, URI defaultPrometheus,
                       OperatorMetrics metrics) {
    this(reader, engine, secrets, PrometheusAccess.open(defaultPrometheus), defaultPrometheus, TenantLimits.none(),
        Clock.systemUTC(), metrics);
  }

  /**
   * @param access the admin's rules on where a policy may send queries and credentials
   * @param limits what one namespace may take of Prometheus and of the operator's threads
   */
  public LiveEvaluator(SignalReader reader, DecisionEngine engine, SecretSource secrets, PrometheusAccess access,
                       URI defaultPrometheus, TenantLimits limits, Clock clock, OperatorMetrics metrics) {
    this.reader = reader;
    this.engine = engine;
    this.secrets = secrets;
    this.access = access;
    this.defaultPrometheus = defaultPrometheus;
    this.limits = limits;
    this.clock = clock;
    this.metrics = metrics;
  }

  /**
   * How long one evaluation may spend querying: its interval, at least 5 s and at most the longest query timeout
   * (30 s), so that a blackholed Prometheus holds a reconcile thread for 30 s at most, however many signals.
   */
  static Duration deadline(ScrapingPolicySpec spec) {
    Duration interval = Durations.parse(spec.getEvaluationInterval()).orElse(ScrapingPolicyReconciler.DEFAULT_INTERVAL);
    Duration floor = Duration.ofSeconds(5);
    return interval.compareTo(floor) < 0 ? floor
        : interval.compareTo(PrometheusEndpoint.MAX_TIMEOUT) > 0 ? PrometheusEndpoint.MAX_TIMEOUT : interval;
  }

  @Override
  public Optional<String> refusal(ScrapingPolicy policy) {
    PrometheusSource source = policy.getSpec().getPrometheus();
    if (source == null || policy.getSpec().getSignals() == null || policy.getSpec().getSignals().isEmpty()) {
      return Optional.empty();
    }
    URI url;
    try {
      url = source.getUrl() == null ? defaultPrometheus : URI.create(source.getUrl());
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // the validator reports it
    }
    return access.refusal(url, source.getBearerTokenSecret() != null);
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
    List<Level> levels = spec.getLevels();
    int index = 0;
    for (int i = 0; i < levels.size(); i++) {
      if (levels.get(i).getName().equals(d.plan().level())) {
        index = i;
      }
    }
    return new Evaluation(d.plan(), index, status -> StateCodec.toStatus(d, status), d.events(), d.metrics(),
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
      Optional<String> refused = access.addressRefusal(url);
      if (refused.isPresent()) {
        throw new Unavailable(refused.get());
      }
      PrometheusEndpoint endpoint = access.scoped(new PrometheusEndpoint(url, Optional.empty(), Optional.empty(),
          timeout).withAdminListed(access.adminListed(url)), namespace);
      if (source != null && source.getBearerTokenSecret() != null) {
        SecretKeyRef ref = source.getBearerTokenSecret();
        SecretSource.Lookup token = lookup(namespace, ref, "bearer token");
        Optional<String> unbound = access.tokenRefusal(url, namespace + "/" + ref.getName(), token.sendTo());
        if (unbound.isPresent()) {
          throw new Unavailable(unbound.get());
        }
        endpoint = endpoint.withBearerToken(token.value().orElseThrow());
      }
      if (source != null && source.getCaSecret() != null) {
        endpoint = endpoint.withCaPem(secret(namespace, source.getCaSecret(), "CA bundle"));
      }
      Optional<TenantLimits.Permit> permit = limits.enter(namespace);
      if (permit.isEmpty()) {
        throw new Unavailable(limits.busy(namespace));
      }
      try (TenantLimits.Permit p = permit.get()) {
        // The deadline bounds real time spent querying: it is taken from the clock, not from the evaluation's
        // logical time (a policy test replays hours of signals in a second).
        return reader.read(endpoint, signals, new SignalReader.Bounds(clock.instant().plus(deadline(spec)), clock,
            () -> limits.takeQuery(namespace), limits.budgetSpent(namespace)));
      }
    } catch (Unavailable e) {
      Readings.Builder b = Readings.builder();
      signals.forEach(s -> b.unavailable(s.getName(), e.getMessage()));
      return b.build();
    }
  }

  private String secret(String namespace, SecretKeyRef ref, String what) {
    return lookup(namespace, ref, what).value().orElseThrow();
  }

  /** The Secret's key, found (else Unavailable with the reason). */
  private SecretSource.Lookup lookup(String namespace, SecretKeyRef ref, String what) {
    SecretSource.Lookup l = secrets.read(namespace, ref.getName(), ref.getKey());
    if (l.value().isEmpty()) {
      throw new Unavailable("the Prometheus " + what + " is unavailable: " + l.problem());
    }
    return l;
  }

  /** Reads a key of a Secret. */
  @FunctionalInterface
  public interface SecretSource {
    Lookup read(String namespace, String name, String key);

    /**
     * The value, or why there is none (a message for the status: never the value).
     *
     * @param sendTo the Secret's {@value PrometheusAccess#DESTINATION_ANNOTATION} annotation: where its bearer
     *               token may be sent
     */
    record Lookup(Optional<String> value, String problem, Optional<String> sendTo) {
      public static Lookup found(String value) {
        return found(value, null);
      }

      /** Found, in a Secret that names where its token may go ({@code sendTo}; null: it does not). */
      public static Lookup found(String value, String sendTo) {
        return new Lookup(Optional.of(value), null, Optional.ofNullable(sendTo));
      }

      public static Lookup missing(String problem) {
        return new Lookup(Optional.empty(), problem, Optional.empty());
      }
    }
  }

  /** The queries cannot be sent (a credential is missing, the host is refused): the message says why. */
  private static final class Unavailable extends RuntimeException {
    Unavailable(String message) {
      super(message, null, false, false);
    }
  }
}

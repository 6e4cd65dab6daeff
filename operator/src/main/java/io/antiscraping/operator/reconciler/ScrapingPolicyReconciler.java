package io.antiscraping.operator.reconciler;

import io.antiscraping.api.v1alpha1.Durations;
import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.ScrapingPolicyStatus;
import io.antiscraping.api.v1alpha1.Targets;
import io.antiscraping.operator.decision.DecisionEvent;
import io.antiscraping.operator.decision.Sanitizer;
import io.antiscraping.operator.enforcement.ApiKind;
import io.antiscraping.operator.enforcement.EnforcementReport;
import io.antiscraping.operator.enforcement.Enforcer;
import io.antiscraping.operator.enforcement.PolicyRef;
import io.antiscraping.operator.metrics.OperatorMetrics;
import io.antiscraping.operator.validation.PolicyValidator;
import io.antiscraping.operator.validation.PolicyValidator.Violation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.ResourceCache;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Observe, validate, evaluate, enforce, report. The domain logic lives in the evaluator (detection + decision) and
 * in the enforcers; this class only wires them per policy and writes the status.
 */
public final class ScrapingPolicyReconciler implements Reconciler<ScrapingPolicy>, Cleaner<ScrapingPolicy> {

  private static final Logger LOG = LoggerFactory.getLogger(ScrapingPolicyReconciler.class);
  private static final Duration RETRY_AFTER_WRITE_FAILURE = Duration.ofSeconds(5);
  /** spec.evaluationInterval's default; also the controller's maximum reconciliation interval. */
  public static final Duration DEFAULT_INTERVAL = Durations.parse(ScrapingPolicySpec.DEFAULT_EVALUATION_INTERVAL)
      .orElseThrow();
  private static final Duration RETRY_AFTER_CONFLICT = Duration.ofSeconds(1);

  private final Map<Targets.Provider, Enforcer> enforcers;
  private final PolicyEvaluator evaluator;
  private final StatusWriter statusWriter;
  private final EventRecorder events;
  private final OperatorMetrics metrics;
  private final Clock clock;
  private final Duration minInterval;
  /** Optional data planes whose APIs could not be watched at startup, and why. */
  private final Map<Targets.Provider, ProviderApis.Problem> unavailable = new ConcurrentHashMap<>();

  public ScrapingPolicyReconciler(Map<Targets.Provider, Enforcer> enforcers, PolicyEvaluator evaluator,
                                  StatusWriter statusWriter, EventRecorder events, OperatorMetrics metrics, Clock clock) {
    this(enforcers, evaluator, statusWriter, events, metrics, clock, Duration.ZERO);
  }

  /** @param minInterval no policy is evaluated more often (the admin's {@code --min-evaluation-interval}) */
  public ScrapingPolicyReconciler(Map<Targets.Provider, Enforcer> enforcers, PolicyEvaluator evaluator,
                                  StatusWriter statusWriter, EventRecorder events, OperatorMetrics metrics, Clock clock,
                                  Duration minInterval) {
    this.minInterval = minInterval;
    this.enforcers = Map.copyOf(enforcers);
    this.evaluator = evaluator;
    this.statusWriter = statusWriter;
    this.events = events;
    this.metrics = metrics;
    this.clock = clock;
  }

  /**
   * Never throws (but for the JVM's own fatal errors): whatever goes wrong is reported in the status (Invalid when the
   * spec cannot work, Degraded otherwise) and the policy is always evaluated again, so that neither a hostile spec nor
   * an API outage can leave it dormant in the framework's retry backoff.
   */
  @Override
  public UpdateControl<ScrapingPolicy> reconcile(ScrapingPolicy policy, Context<ScrapingPolicy> ctx) {
    Instant started = clock.instant();
    UpdateControl<ScrapingPolicy> control;
    try {
      control = evaluateAndEnforce(policy, ctx, started);
    } catch (Throwable e) {
      if (e instanceof VirtualMachineError && !(e instanceof StackOverflowError)) {
        throw (VirtualMachineError) e; // out of memory: the JVM exits (ExitOnOutOfMemoryError) and restarts clean
      }
      control = failed(policy, started, e);
    }
    // The admin's floor: a policy asking for a shorter interval (or failing fast) is not evaluated more often.
    Duration delay = control.getScheduleDelay().map(Duration::ofMillis).orElse(DEFAULT_INTERVAL);
    return control.rescheduleAfter(delay.compareTo(minInterval) < 0 ? minInterval : delay);
  }

  /** Reports an evaluation that threw as Degraded, keeping the level, bans and enforcement as they were. */
  private UpdateControl<ScrapingPolicy> failed(ScrapingPolicy policy, Instant started, Throwable e) {
    String message = "the evaluation failed (will retry; the last enforcement stays in place): "
        + Sanitizer.describe(e);
    LOG.warn("policy={}/{} {}", ns(policy), name(policy), message);
    try {
      ScrapingPolicyStatus previous = statusWriter.current(policy);
      ScrapingPolicyStatus next = StatusBuilder.failed(policy, previous, message, clock.instant());
      if (!message.equals(Conditions.message(previous.getConditions(), Conditions.DEGRADED))) {
        events.warning(policy, "EvaluationFailed", message);
      }
      statusWriter.write(policy, previous, next);
    } catch (Throwable t) {
      if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) {
        throw (VirtualMachineError) t;
      }
      LOG.warn("policy={}/{} the status could not be written either: {}", ns(policy), name(policy),
          Sanitizer.describe(t));
    }
    metrics.evaluation(ns(policy), name(policy), "error", Duration.between(started, clock.instant()));
    return UpdateControl.<ScrapingPolicy>noUpdate().rescheduleAfter(min(interval(policy.getSpec()),
        RETRY_AFTER_WRITE_FAILURE));
  }

  /** spec.evaluationInterval, or the default when it is absent or unparseable. */
  static Duration interval(ScrapingPolicySpec spec) {
    try {
      return spec == null ? DEFAULT_INTERVAL
          : Durations.parse(spec.getEvaluationInterval()).filter(d -> d.compareTo(Duration.ZERO) > 0)
              .orElse(DEFAULT_INTERVAL);
    } catch (RuntimeException e) {
      return DEFAULT_INTERVAL;
    }
  }

  private UpdateControl<ScrapingPolicy> evaluateAndEnforce(ScrapingPolicy policy, Context<ScrapingPolicy> ctx,
                                                          Instant started) {
    ScrapingPolicyStatus previous = statusWriter.current(policy);
    List<Violation> violations = new ArrayList<>(PolicyValidator.validate(policy.getSpec()));
    if (violations.isEmpty()) {
      evaluator.refusal(policy).ifPresent(r -> violations.add(new Violation("spec.prometheus", r)));
    }
    if (!violations.isEmpty()) {
      reportInvalid(policy, previous, violations, started);
      // Retrying cannot fix the spec (an edit triggers a reconcile at once); looking again now and then is cheap.
      return UpdateControl.<ScrapingPolicy>noUpdate().rescheduleAfter(DEFAULT_INTERVAL);
    }
    ScrapingPolicySpec spec = policy.getSpec();
    Evaluation evaluation = evaluator.evaluate(policy, previous, started);
    Enforcer enforcer = enforcerFor(spec);
    ProviderApis.Problem providerProblem = unavailable.get(enforcer.provider());
    EnforcementReport report;
    String writeFailure = null;
    try {
      List<? extends HasMetadata> candidates = providerProblem != null ? List.of() : candidates(ctx, enforcer, policy);
      if (providerProblem != null) {
        report = EnforcementReport.NONE;
      } else if (spec.isDryRun()) {
        report = merge(enforcer.suspend(ref(policy), candidates),
            enforcer.enforce(ref(policy), competing(ctx.getPrimaryCache(), policy), candidates, evaluation.plan(), true));
      } else {
        report = enforcer.enforce(ref(policy), competing(ctx.getPrimaryCache(), policy), candidates,
            evaluation.plan(), false);
      }
      report = merge(releaseElsewhere(policy, ctx, enforcer), report);
    } catch (KubernetesClientException e) {
      writeFailure = "writing to the data plane failed (will retry): " + Sanitizer.sanitize(e.getMessage());
      LOG.warn("policy={}/{} {}", policy.getMetadata().getNamespace(), policy.getMetadata().getName(), writeFailure);
      report = EnforcementReport.NONE;
    }
    if (writeFailure == null && !report.writeFailures().isEmpty()) {
      writeFailure = "writing to the data plane failed for " + report.writeFailures().size()
          + " target(s) (will retry; the others are written): " + String.join("; ", report.writeFailures());
      LOG.warn("policy={}/{} {}", policy.getMetadata().getNamespace(), policy.getMetadata().getName(), writeFailure);
    }
    StatusBuilder.Built built = StatusBuilder.build(policy, previous, evaluation, report, writeFailure, started,
        enforcer.targetKind(), providerProblem == null ? null
            : new StatusBuilder.Unavailable(providerProblem.reason(),
                enforcer.provider().wireName() + ": " + providerProblem.message()));
    ScrapingPolicyStatus next = built.status();
    if (statusWriter.write(policy, previous, next) == StatusWriter.Outcome.CONFLICT) {
      // someone else replaced the status since it was read (e.g. a new leader): evaluate again from theirs. Nothing
      // is recorded: the evaluation from the fresh status decides (and records) what changed.
      LOG.info("policy={}/{} status changed by another writer: evaluating again from the fresh status", ns(policy),
          name(policy));
      return UpdateControl.<ScrapingPolicy>noUpdate().rescheduleAfter(RETRY_AFTER_CONFLICT);
    }
    // Events tell what the status now says: recorded once it is written, so that a refused status write (the
    // evaluation is then repeated from the status that stands) never records the same decision twice.
    recordEvents(policy, built.warnings(), evaluation, report);
    metrics.policyLevel(ns(policy), name(policy), evaluation.levelIndex(), spec.getLevels().size() - 1);
    metrics.bans(ns(policy), name(policy), evaluation.plan().bans().size(), evaluation.banCapReached());
    metrics.aggregate(ns(policy), name(policy), evaluation.knownGood(), evaluation.held());
    metrics.effect(ns(policy), name(policy), evaluation.suspectCount(),
        evaluation.effect() == null ? null : evaluation.effect().stillServed());
    metrics.metricsAvailable(ns(policy), name(policy), evaluation.metrics().available());
    metrics.evaluation(ns(policy), name(policy), writeFailure == null ? "ok" : "error",
        Duration.between(started, clock.instant()));
    Duration interval = interval(spec);
    return UpdateControl.<ScrapingPolicy>noUpdate()
        .rescheduleAfter(writeFailure == null ? interval : min(interval, RETRY_AFTER_WRITE_FAILURE));
  }

  @Override
  public DeleteControl cleanup(ScrapingPolicy policy, Context<ScrapingPolicy> ctx) {
    EnforcementReport report = releaseElsewhere(policy, ctx, null);
    report.changes().forEach(c -> events.normal(policy, "Released", c));
    statusWriter.forget(policy);
    evaluator.forget(policy);
    metrics.forget(ns(policy), name(policy));
    LOG.info("policy={}/{} deleted: released {} target(s)", ns(policy), name(policy), report.writes());
    return DeleteControl.defaultDelete();
  }

  /**
   * Cleans up after the policy on every watched data plane except {@code current}: what it wrote before its provider
   * was changed (nothing, and no write, in the usual case), or everything when {@code current} is null (deletion).
   */
  private EnforcementReport releaseElsewhere(ScrapingPolicy policy, Context<ScrapingPolicy> ctx, Enforcer current) {
    EnforcementReport report = EnforcementReport.NONE;
    for (Enforcer other : enforcers.values()) {
      if (other != current && !unavailable.containsKey(other.provider())) {
        List<? extends HasMetadata> candidates = candidates(ctx, other, policy);
        report = merge(report, current == null ? other.deleted(ref(policy), candidates)
            : other.cleanup(ref(policy), candidates));
      }
    }
    return report;
  }

  @Override
  public List<EventSource<?, ScrapingPolicy>> prepareEventSources(EventSourceContext<ScrapingPolicy> context) {
    List<EventSource<?, ScrapingPolicy>> sources = new ArrayList<>();
    Set<String> namespaces = context.getControllerConfiguration().getEffectiveNamespaces();
    for (Enforcer enforcer : enforcers.values()) {
      if (enforcer.optional()) {
        var problem = ProviderApis.check(context.getClient(), enforcer.provider().wireName(), enforcer.kinds(),
            InformerConfiguration.allNamespacesWatched(namespaces) ? Set.of() : namespaces);
        if (problem.isPresent()) {
          unavailable.put(enforcer.provider(), problem.get());
          LOG.info("provider {} not watched: {}", enforcer.provider().wireName(), problem.get().message());
          continue;
        }
      }
      for (ApiKind kind : enforcer.kinds()) {
        sources.add(source(kind, enforcer, context));
      }
    }
    return sources;
  }

  /**
   * Watches one kind an enforcer reads and maps each object to the policies it concerns (see {@link ApiKind.Scope}),
   * so a new, relabelled or edited target, or a data-plane verdict, is handled at once rather than at the next
   * evaluation.
   */
  @SuppressWarnings("unchecked")
  private <R extends HasMetadata> InformerEventSource<R, ScrapingPolicy> source(
      ApiKind kind, Enforcer enforcer, EventSourceContext<ScrapingPolicy> context) {
    IndexerResourceCache<ScrapingPolicy> policies = context.getPrimaryCache();
    InformerEventSourceConfiguration.Builder<R> builder = kind.isGeneric()
        ? (InformerEventSourceConfiguration.Builder<R>) InformerEventSourceConfiguration.from(
            new GroupVersionKind(kind.group(), kind.version(), kind.kind()), ScrapingPolicy.class)
        : InformerEventSourceConfiguration.from((Class<R>) kind.type(), ScrapingPolicy.class);
    InformerEventSourceConfiguration<R> config = builder
        .withName(sourceName(enforcer, kind))
        .withNamespacesInheritedFromController()
        .withSecondaryToPrimaryMapper(object -> policies
            .list(object.getMetadata().getNamespace(), p -> providerOf(p.getSpec()) == enforcer.provider()
                && (kind.scope() != ApiKind.Scope.SELECTED || selects(p, object)
                    || enforcer.ownedBy(object, p.getMetadata().getName())))
            .map(ResourceID::fromResource)
            .collect(Collectors.toSet()))
        .build();
    return new InformerEventSource<>(config, context);
  }

  /** The first kind keeps the provider's name (the name the reconciler has always used for the targets). */
  private static String sourceName(Enforcer enforcer, ApiKind kind) {
    return enforcer.kinds().get(0).equals(kind) ? enforcer.provider().name() : enforcer.provider().name() + "/" + kind;
  }

  private static boolean selects(ScrapingPolicy p, HasMetadata target) {
    return p.getSpec() != null && p.getSpec().getTargets() != null && p.getSpec().getTargets().getSelector() != null
        && p.getSpec().getTargets().getSelector().matches(target.getMetadata().getLabels());
  }

  private void reportInvalid(ScrapingPolicy policy, ScrapingPolicyStatus previous, List<Violation> violations,
                             Instant now) {
    String message = violations.stream().map(Violation::toString).collect(Collectors.joining("; "));
    ScrapingPolicyStatus next = StatusBuilder.invalid(policy, previous, message, now);
    if (!message.equals(Conditions.message(previous.getConditions(), Conditions.INVALID))
        || !Conditions.isTrue(previous.getConditions(), Conditions.INVALID)) {
      events.warning(policy, "InvalidSpec", message + " (the last valid enforcement stays in place)");
    }
    statusWriter.write(policy, previous, next);
    metrics.evaluation(ns(policy), name(policy), "invalid", Duration.between(now, clock.instant()));
  }

  private void recordEvents(ScrapingPolicy policy, List<StatusBuilder.Warning> warnings, Evaluation evaluation,
                            EnforcementReport report) {
    for (DecisionEvent n : evaluation.notices()) {
      if (n.warning()) {
        events.warning(policy, n.reason(), n.message());
      } else {
        events.normal(policy, n.reason(), n.message());
      }
    }
    String verb = policy.getSpec().isDryRun() ? "DryRun" : "Enforced";
    for (String change : report.changes()) {
      events.normal(policy, verb, (policy.getSpec().isDryRun() ? "would apply: " : "") + change);
    }
    for (StatusBuilder.Warning w : warnings) {
      events.warning(policy, w.reason(), w.message());
    }
  }

  private Enforcer enforcerFor(ScrapingPolicySpec spec) {
    return enforcers.get(providerOf(spec));
  }

  private static Targets.Provider providerOf(ScrapingPolicySpec spec) {
    return spec == null || spec.getTargets() == null || spec.getTargets().getProvider() == null
        ? Targets.Provider.INGRESS_NGINX : spec.getTargets().getProvider();
  }

  @SuppressWarnings("unchecked")
  private static List<? extends HasMetadata> candidates(Context<ScrapingPolicy> ctx, Enforcer enforcer,
                                                        ScrapingPolicy policy) {
    List<HasMetadata> out = new ArrayList<>();
    for (ApiKind kind : enforcer.kinds()) {
      InformerEventSource<HasMetadata, ScrapingPolicy> source = (InformerEventSource<HasMetadata, ScrapingPolicy>)
          ctx.eventSourceRetriever().getEventSourceFor((Class<HasMetadata>) kind.type(), sourceName(enforcer, kind));
      Stream<HasMetadata> objects = kind.scope() == ApiKind.Scope.ALL_NAMESPACES ? source.list(t -> true)
          : source.list(policy.getMetadata().getNamespace(), t -> true);
      objects.forEach(out::add);
    }
    return out;
  }

  private static List<PolicyRef> competing(ResourceCache<ScrapingPolicy> cache, ScrapingPolicy policy) {
    Targets.Provider provider = providerOf(policy.getSpec());
    return cache.list(policy.getMetadata().getNamespace(),
            p -> p.getMetadata().getDeletionTimestamp() == null && p.getSpec() != null
                && p.getSpec().getTargets() != null && p.getSpec().getTargets().getSelector() != null
                && providerOf(p.getSpec()) == provider)
        .map(ScrapingPolicyReconciler::ref).toList();
  }

  static PolicyRef ref(ScrapingPolicy p) {
    String created = p.getMetadata().getCreationTimestamp();
    var targets = p.getSpec() == null ? null : p.getSpec().getTargets();
    return new PolicyRef(p.getMetadata().getNamespace(), p.getMetadata().getName(), p.getMetadata().getUid(),
        created == null ? null : Instant.parse(created),
        targets == null || targets.getSelector() == null ? new io.antiscraping.api.v1alpha1.Selector()
            : targets.getSelector(),
        targets != null && targets.isOverrideExisting());
  }

  private static EnforcementReport merge(EnforcementReport a, EnforcementReport b) {
    List<String> changes = new ArrayList<>(a.changes());
    changes.addAll(b.changes());
    List<String> failures = new ArrayList<>(a.writeFailures());
    failures.addAll(b.writeFailures());
    return new EnforcementReport(b.targets(), b.conflicts(), b.notEnforceable(), changes, a.writes() + b.writes(),
        failures);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static String ns(ScrapingPolicy p) {
    return p.getMetadata().getNamespace();
  }

  private static String name(ScrapingPolicy p) {
    return p.getMetadata().getName();
  }

}

package io.antiscraping.operator.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.antiscraping.api.v1alpha1.Durations;
import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.ScrapingPolicyStatus;
import io.antiscraping.api.v1alpha1.Signal;
import io.antiscraping.api.v1alpha1.StatusCondition;
import io.antiscraping.api.v1alpha1.Targets;
import io.antiscraping.operator.decision.Cidr;
import io.antiscraping.operator.decision.DecisionEngine;
import io.antiscraping.operator.decision.DecisionEvent;
import io.antiscraping.operator.detection.QueryResult;
import io.antiscraping.operator.detection.SignalReader;
import io.antiscraping.operator.enforcement.EnforcementReport;
import io.antiscraping.operator.enforcement.OwnedObjectWriter;
import io.antiscraping.operator.metrics.OperatorMetrics;
import io.antiscraping.operator.reconciler.Evaluation;
import io.antiscraping.operator.reconciler.LiveEvaluator;
import io.antiscraping.operator.reconciler.StatusPreview;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.prometheus.client.CollectorRegistry;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * One test file of the {@code test} command: a policy, signal values over time in promtool's expanding notation,
 * and what must hold at given times. Each test runs the operator's own evaluation path (the {@link LiveEvaluator}
 * the reconciler uses: detection's {@link SignalReader} on query answers built from the series, the
 * {@link DecisionEngine}, the engine memory carried through the status) and builds the status the reconciler would
 * write, assuming every selected target accepts the write.
 */
final class PolicyTest {

  static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  /** The most evaluations one test runs (the last {@code at} over the interval). */
  static final int MAX_STEPS = 100_000;
  /** The most samples all the series of one test hold together. */
  static final int MAX_TEST_SAMPLES = 1_000_000;

  /** One failed expectation, with the line of the test file that states it. */
  record Failure(String source, int line, String test, String at, String field, String message) {
    String human() {
      return source + ":" + line + ": FAILED: test \"" + test + "\"" + (at == null ? "" : " at " + at) + ": "
          + (field == null ? "" : field + ": ") + message;
    }
  }

  /** The outcome of one test. */
  record Outcome(String name, int assertions, List<Failure> failures) {
  }

  /** The outcome of a file; {@code error} set when the file itself could not be run. */
  record FileOutcome(String source, List<Outcome> tests, Failure error) {
    boolean passed() {
      return error == null && tests.stream().allMatch(t -> t.failures().isEmpty());
    }
  }

  private PolicyTest() {
  }

  /** A problem of the test file itself. */
  static final class BadTest extends Exception {
    final int line;

    BadTest(int line, String message) {
      super(message);
      this.line = line;
    }
  }

  static FileOutcome run(Path file, InputStream stdin, picocli.CommandLine cmd) {
    return run(file, stdin, cmd, false, null);
  }

  /**
   * @param prometheus evaluate the policy's PromQL on the tests' input_series in a real Prometheus
   * @param policyRoot the folder {@code policy:} must name a file under; null: the test file's own folder
   */
  static FileOutcome run(Path file, InputStream stdin, picocli.CommandLine cmd, boolean prometheus, Path policyRoot) {
    String source = YamlDocuments.display(file);
    YamlDocuments.Document doc;
    try {
      List<YamlDocuments.Document> docs = YamlDocuments.read(file, stdin);
      if (docs.size() != 1 || !docs.get(0).node().isObject()) {
        return new FileOutcome(source, List.of(), new Failure(source, 1, "", null, null,
            "a test file is one YAML document with policy: and tests:"));
      }
      doc = docs.get(0);
    } catch (YamlDocuments.SourceException e) {
      return new FileOutcome(source, List.of(), new Failure(source, e.line, "", null, null, e.getMessage()));
    }
    JsonNode root = doc.node();
    String policyPath = root.path("policy").asText("");
    if (policyPath.isEmpty()) {
      return new FileOutcome(source, List.of(), new Failure(source, doc.line(), "", null, "policy",
          "name the policy file (relative to the test file)"));
    }
    Path base = "-".equals(file.toString()) ? Path.of(".") : file.toAbsolutePath().getParent();
    Path policyFile = base.resolve(policyPath).normalize();
    Path allowed = (policyRoot == null ? base : policyRoot).toAbsolutePath().normalize();
    if (!inside(policyFile, allowed)) {
      // A test file (from a pull request, say) must not make the command read ~/.kube/config or a mounted token.
      return new FileOutcome(source, List.of(), new Failure(source, doc.lineOf("policy"), "", null, "policy",
          policyPath + " is outside " + allowed + ": a test file names a policy file in its own folder or below it "
              + "(run the command with --policy-root DIR to allow another folder)"));
    }
    PolicySource policy;
    try {
      policy = PolicySource.load(cmd, policyFile.toString(), stdin);
    } catch (PolicySource.Invalid e) {
      return new FileOutcome(source, List.of(), new Failure(source, doc.lineOf("policy"), "", null, "policy",
          "the policy is invalid:\n  " + String.join("\n  ", e.messages)));
    } catch (picocli.CommandLine.ParameterException e) {
      return new FileOutcome(source, List.of(), new Failure(source, doc.lineOf("policy"), "", null, "policy",
          e.getMessage()));
    }
    List<Outcome> outcomes = new ArrayList<>();
    JsonNode tests = root.path("tests");
    if (!tests.isArray() || tests.isEmpty()) {
      return new FileOutcome(source, List.of(), new Failure(source, doc.line(), "", null, "tests",
          "give at least one test"));
    }
    for (int i = 0; i < tests.size(); i++) {
      try {
        outcomes.add(runOne(doc, root, "tests[" + i + "]", tests.get(i), policy, prometheus));
      } catch (BadTest e) {
        return new FileOutcome(source, outcomes, new Failure(source, e.line,
            tests.get(i).path("name").asText("#" + (i + 1)), null, null, e.getMessage()));
      }
    }
    return new FileOutcome(source, outcomes, null);
  }

  /** Whether {@code file} is under {@code root}, as written and, when it exists, with symbolic links resolved. */
  static boolean inside(Path file, Path root) {
    Path f = file.toAbsolutePath().normalize();
    if (!f.startsWith(root) || f.equals(root)) {
      return false;
    }
    try {
      return !java.nio.file.Files.exists(f) || f.toRealPath().startsWith(root.toRealPath());
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static Outcome runOne(YamlDocuments.Document doc, JsonNode root, String path, JsonNode test,
                                PolicySource policy, boolean prometheus) throws BadTest {
    String name = test.path("name").asText(path);
    ScrapingPolicySpec spec = policy.spec().toBuilder().prometheus(null).build();
    String intervalText = test.path("evaluationInterval").asText(root.path("evaluationInterval")
        .asText(spec.getEvaluationInterval()));
    Duration interval = Durations.parse(intervalText).filter(d -> !d.isZero() && !d.isNegative())
        .orElseThrow(() -> new BadTest(doc.lineOf(path + ".evaluationInterval"),
            "evaluationInterval: not a duration: " + intervalText));
    Targets.Provider provider;
    String providerText = test.path("provider").asText(root.path("provider").asText(""));
    try {
      provider = providerText.isEmpty() ? spec.getTargets().getProvider() : DataPlaneRender.provider(providerText);
    } catch (IllegalArgumentException e) {
      throw new BadTest(doc.lineOf("provider"), e.getMessage());
    }
    boolean snippets = test.path("allowSnippetAnnotations").asBoolean(
        root.path("allowSnippetAnnotations").asBoolean(false));

    Map<String, Signal> signals = new LinkedHashMap<>();
    spec.getSignals().forEach(s -> signals.put(s.getName(), s));
    Map<String, List<Double>> scalar = new LinkedHashMap<>();
    Map<String, Map<String, List<Double>>> perClient = new LinkedHashMap<>();
    long[] samples = {0};
    JsonNode series = test.path("series");
    for (var it = series.fields(); it.hasNext(); ) {
      var e = it.next();
      String p = path + ".series." + e.getKey();
      Signal s = signals.get(e.getKey());
      if (s == null) {
        throw new BadTest(doc.lineOf(p), "the policy has no signal " + e.getKey() + " (signals: "
            + String.join(", ", signals.keySet()) + ")");
      }
      if (s.getPerClient() == null) {
        scalar.put(e.getKey(), values(doc, p, e.getValue(), samples));
      } else {
        if (!e.getValue().isObject()) {
          throw new BadTest(doc.lineOf(p), e.getKey() + " is a per-client signal (label " + s.getPerClient()
              .getLabel() + "): give its series as " + s.getPerClient().getLabel() + " value -> values");
        }
        Map<String, List<Double>> clients = new LinkedHashMap<>();
        for (var c = e.getValue().fields(); c.hasNext(); ) {
          var ce = c.next();
          clients.put(ce.getKey(), values(doc, p + "." + ce.getKey(), ce.getValue(), samples));
        }
        perClient.put(e.getKey(), clients);
      }
    }
    Map<String, String> queryOwner = new HashMap<>();
    for (Signal s : spec.getSignals()) {
      String other = queryOwner.putIfAbsent(s.getQuery(), s.getName());
      if (other != null) {
        throw new BadTest(doc.lineOf(path), "signals " + other + " and " + s.getName() + " have the same query: a "
            + "test cannot give them different values");
      }
    }

    // Assertions by evaluation index.
    JsonNode asserts = test.path("asserts");
    if (!asserts.isArray() || asserts.isEmpty()) {
      throw new BadTest(doc.lineOf(path), "give asserts: [{at: <duration>, ...}]");
    }
    Map<Integer, List<Integer>> byStep = new HashMap<>();
    int last = 0;
    for (int i = 0; i < asserts.size(); i++) {
      String p = path + ".asserts[" + i + "]";
      String at = asserts.get(i).path("at").asText("");
      Duration d = Durations.parse(at).orElseThrow(() -> new BadTest(doc.lineOf(p + ".at"),
          "at: give the time of the check as a duration from the first evaluation (0s, 90s, 5m)"));
      if (d.toMillis() % interval.toMillis() != 0) {
        throw new BadTest(doc.lineOf(p + ".at"), "at: " + at + " is not a multiple of the evaluation interval "
            + intervalText);
      }
      long steps = d.toMillis() / interval.toMillis();
      if (steps > MAX_STEPS) {
        throw new BadTest(doc.lineOf(p + ".at"), "at: " + at + " is " + steps + " evaluations after the first at "
            + "the interval " + intervalText + ": a test runs at most " + MAX_STEPS);
      }
      int step = (int) steps;
      byStep.computeIfAbsent(step, k -> new ArrayList<>()).add(i);
      last = Math.max(last, step);
    }

    if (prometheus) {
      try (PrometheusBackfill backfill = PrometheusBackfill.start(doc, path, test.path("input_series"), START,
          interval)) {
        // The backfilled Prometheus is the evaluator's default URL: the operator always queries its own default,
        // where a policy's URL on a loopback address would be refused.
        ScrapingPolicySpec live = spec.toBuilder().prometheus(io.antiscraping.api.v1alpha1.PrometheusSource.builder()
            .timeout("10s").build()).build();
        return evaluate(doc, path, name, test, policy, live, interval, provider, snippets, byStep, last, asserts,
            new SignalReader(new io.antiscraping.operator.detection.PrometheusClient(
                io.antiscraping.operator.detection.QueryObserver.NONE)), backfill::at, Map.of(), Map.of(),
            URI.create(backfill.url()));
      }
    }
    int[] current = {0};
    SignalReader reader = new SignalReader((endpoint, promql) -> answer(signals.get(queryOwner.get(promql)),
        scalar, perClient, current[0]));
    return evaluate(doc, path, name, test, policy, spec, interval, provider, snippets, byStep, last, asserts, reader,
        t -> current[0] = (int) (Duration.between(START, t).toMillis() / interval.toMillis()), scalar, perClient,
        URI.create("http://prometheus.test:9090"));
  }

  /** Evaluates step by step as the reconciler does, checking the assertions due at each step. */
  private static Outcome evaluate(YamlDocuments.Document doc, String path, String name, JsonNode test,
                                  PolicySource policy, ScrapingPolicySpec spec, Duration interval,
                                  Targets.Provider provider, boolean snippets, Map<Integer, List<Integer>> byStep,
                                  int last, JsonNode asserts, SignalReader reader,
                                  java.util.function.Consumer<Instant> clock, Map<String, List<Double>> scalar,
                                  Map<String, Map<String, List<Double>>> perClient, URI prometheusUrl) {
    LiveEvaluator evaluator = new LiveEvaluator(reader, new DecisionEngine(),
        (ns, n, k) -> LiveEvaluator.SecretSource.Lookup.missing("a policy test reads no Secrets"),
        prometheusUrl, new OperatorMetrics(new CollectorRegistry()));
    ScrapingPolicy resource = new ScrapingPolicy();
    resource.setMetadata(new ObjectMetaBuilder().withName(policy.name()).withNamespace(policy.namespace())
        .withUid("test").withGeneration(1L).build());
    resource.setSpec(spec);
    ScrapingPolicyStatus status = new ScrapingPolicyStatus();
    List<Failure> failures = new ArrayList<>();
    int count = 0;
    for (int step = 0; step <= last; step++) {
      Instant now = START.plus(interval.multipliedBy(step));
      clock.accept(now);
      Evaluation evaluation = evaluator.evaluate(resource, status, now);
      DataPlaneRender.Output rendered = DataPlaneRender.render(policy, provider, evaluation.plan(), null, snippets);
      String kind = provider == Targets.Provider.INGRESS_NGINX ? "Ingress"
          : provider == Targets.Provider.ENVOY_GATEWAY ? "HTTPRoute" : "Middleware";
      EnforcementReport report = new EnforcementReport(
          List.of(new EnforcementReport.TargetResult(kind, "test", true, "level " + evaluation.plan().level())),
          List.of(), rendered.notEnforceable(), List.of(), 0);
      status = StatusPreview.next(resource, status, evaluation, report, now, kind);
      for (int i : byStep.getOrDefault(step, List.of())) {
        String p = path + ".asserts[" + i + "]";
        Check c = new Check(doc, name, p, asserts.get(i).path("at").asText(), step, scalar, perClient, failures);
        count += c.all(asserts.get(i), evaluation, status, rendered);
      }
    }
    return new Outcome(name, count, failures);
  }

  private static List<Double> values(YamlDocuments.Document doc, String path, JsonNode node, long[] total)
      throws BadTest {
    List<Double> values;
    try {
      values = SeriesNotation.expand(node.asText());
    } catch (IllegalArgumentException e) {
      throw new BadTest(doc.lineOf(path), e.getMessage());
    }
    total[0] += values.size();
    if (total[0] > MAX_TEST_SAMPLES) {
      throw new BadTest(doc.lineOf(path), "the series of a test hold at most " + MAX_TEST_SAMPLES + " samples together");
    }
    return values;
  }

  private static Double at(List<Double> values, int step) {
    return values == null || step >= values.size() ? null : values.get(step);
  }

  /** What Prometheus would answer at this step: a one-series vector, a vector per client, or no series. */
  private static QueryResult answer(Signal s, Map<String, List<Double>> scalar,
                                    Map<String, Map<String, List<Double>>> perClient, int step) {
    QueryResult empty = new QueryResult.Failure(QueryResult.Kind.EMPTY, "empty result: the query returned no series");
    if (s == null) {
      return empty;
    }
    if (s.getPerClient() == null) {
      Double v = at(scalar.get(s.getName()), step);
      return v == null ? empty : new QueryResult.Vector(List.of(new QueryResult.Series(Map.of(), v)));
    }
    List<QueryResult.Series> out = new ArrayList<>();
    perClient.getOrDefault(s.getName(), Map.of()).forEach((client, values) -> {
      Double v = at(values, step);
      if (v != null) {
        out.add(new QueryResult.Series(Map.of(s.getPerClient().getLabel(), client), v));
      }
    });
    return out.isEmpty() ? empty : new QueryResult.Vector(out);
  }

  /** The assertions of one {@code asserts[]} entry. */
  private record Check(YamlDocuments.Document doc, String test, String path, String when, int step,
                       Map<String, List<Double>> scalar, Map<String, Map<String, List<Double>>> perClient,
                       List<Failure> failures) {

    int all(JsonNode a, Evaluation e, ScrapingPolicyStatus status, DataPlaneRender.Output rendered) {
      int n = 0;
      List<Cidr> bans = e.plan().bans();
      if (a.has("level")) {
        n++;
        if (!a.get("level").asText().equals(e.plan().level())) {
          fail("level", "expected " + a.get("level").asText() + ", got " + e.plan().level() + context(status));
        }
      }
      if (a.has("banned")) {
        n++;
        compareSet("banned", a.get("banned"), bans);
      }
      if (a.has("prefixes")) {
        n++;
        compareSet("prefixes", a.get("prefixes"), bans.stream().filter(c -> c.prefixLength() < c.bits()).toList());
      }
      if (a.has("notBanned")) {
        for (int i = 0; i < a.get("notBanned").size(); i++) {
          n++;
          String s = a.get("notBanned").get(i).asText();
          String field = "notBanned[" + i + "]";
          Optional<Cidr> c = Cidr.parse(s).map(Cidr::unmapIpv4);
          if (c.isEmpty()) {
            fail(field, "\"" + s + "\" is not an address or CIDR");
          } else {
            bans.stream().filter(b -> b.overlaps(c.get())).findFirst().ifPresent(b ->
                fail(field, s + " is covered by the ban " + b));
          }
        }
      }
      if (a.has("events")) {
        n++;
        List<String> reasons = e.notices().stream().map(DecisionEvent::reason).toList();
        for (JsonNode r : a.get("events")) {
          if (!reasons.contains(r.asText())) {
            fail("events", "expected an event " + r.asText() + ", got " + (reasons.isEmpty() ? "none" : reasons));
          }
        }
      }
      if (a.has("conditions")) {
        for (var it = a.get("conditions").fields(); it.hasNext(); ) {
          var c = it.next();
          n++;
          condition(c.getKey(), c.getValue(), status);
        }
      }
      if (a.has("rendered")) {
        for (var it = a.get("rendered").fields(); it.hasNext(); ) {
          var r = it.next();
          n++;
          rendered(r.getKey(), r.getValue(), rendered);
        }
      }
      return n;
    }

    private void compareSet(String field, JsonNode expected, List<Cidr> actual) {
      TreeSet<Cidr> want = new TreeSet<>();
      for (int i = 0; i < expected.size(); i++) {
        String s = expected.get(i).asText();
        Optional<Cidr> c = Cidr.parse(s).map(Cidr::unmapIpv4);
        if (c.isEmpty()) {
          fail(field + "[" + i + "]", "\"" + s + "\" is not an address or CIDR");
          return;
        }
        want.add(c.get());
      }
      TreeSet<Cidr> got = new TreeSet<>(actual);
      if (!want.equals(got)) {
        TreeSet<Cidr> missing = new TreeSet<>(want);
        missing.removeAll(got);
        TreeSet<Cidr> extra = new TreeSet<>(got);
        extra.removeAll(want);
        fail(field, "expected " + want + ", got " + got + (missing.isEmpty() ? "" : "; missing " + missing)
            + (extra.isEmpty() ? "" : "; unexpected " + extra));
      }
    }

    private void condition(String type, JsonNode expected, ScrapingPolicyStatus status) {
      Optional<StatusCondition> c = status.getConditions() == null ? Optional.empty()
          : status.getConditions().stream().filter(x -> type.equals(x.getType())).findFirst();
      String field = "conditions." + type;
      if (c.isEmpty()) {
        fail(field, "no condition " + type + " in the status (types: " + status.getConditions().stream()
            .map(StatusCondition::getType).collect(Collectors.joining(", ")) + ")");
        return;
      }
      String wantStatus = expected.isObject() ? expected.path("status").asText("") : expected.asText();
      String got = c.get().getStatus() + " (" + c.get().getReason() + ": " + c.get().getMessage() + ")";
      if (!wantStatus.isEmpty() && !wantStatus.equalsIgnoreCase(c.get().getStatus())) {
        fail(field, "expected status " + wantStatus + ", got " + got);
      } else if (expected.has("reason") && !expected.get("reason").asText().equals(c.get().getReason())) {
        fail(field, "expected reason " + expected.get("reason").asText() + ", got " + got);
      } else if (expected.has("messageContains")
          && !c.get().getMessage().contains(expected.get("messageContains").asText())) {
        fail(field, "expected a message containing \"" + expected.get("messageContains").asText() + "\", got "
            + got);
      }
    }

    private void rendered(String provider, JsonNode expected, DataPlaneRender.Output output) {
      String field = "rendered." + provider;
      if ("IngressNginx".equals(provider)) {
        Map<String, String> got = output.annotations(null);
        for (var it = expected.fields(); it.hasNext(); ) {
          var e = it.next();
          String key = e.getKey().contains("/") ? e.getKey() : "nginx.ingress.kubernetes.io/" + e.getKey();
          String actual = got.get(key);
          if (e.getValue().isNull() ? actual != null : !e.getValue().asText().equals(actual)) {
            fail(field + "." + e.getKey(), "expected " + (e.getValue().isNull() ? "no annotation"
                : "\"" + e.getValue().asText() + "\"") + ", got " + (actual == null ? "no annotation"
                : "\"" + actual + "\""));
          }
        }
        return;
      }
      for (var it = expected.fields(); it.hasNext(); ) {
        var e = it.next();
        Optional<com.fasterxml.jackson.databind.node.ObjectNode> object = output.objects().stream()
            .filter(o -> e.getKey().equals(o.path("kind").asText())).findFirst();
        if (e.getValue().isNull()) {
          object.ifPresent(o -> fail(field + "." + e.getKey(), "expected no " + e.getKey() + ", got one"));
        } else if (object.isEmpty()) {
          fail(field + "." + e.getKey(), "expected a " + e.getKey() + ", the operator writes none at this level");
        } else if (!OwnedObjectWriter.covers(object.get(), e.getValue())) {
          fail(field + "." + e.getKey(), "expected it to hold " + e.getValue() + ", got " + object.get().path("spec"));
        }
      }
    }

    /** The signal values at this time, so that a failure reads with its cause. */
    private String context(ScrapingPolicyStatus status) {
      List<String> parts = new ArrayList<>();
      scalar.forEach((k, v) -> parts.add(k + "=" + fmt(at(v, step))));
      perClient.forEach((k, m) -> parts.add(k + ": " + m.size() + " client series"));
      return parts.isEmpty() ? "" : " (at this evaluation " + String.join(", ", parts) + ")";
    }

    private static String fmt(Double v) {
      return v == null ? "_" : v == Math.rint(v) && !Double.isInfinite(v) ? String.valueOf(v.longValue())
          : String.valueOf(v);
    }

    private void fail(String field, String message) {
      failures.add(new Failure(doc.source(), doc.lineOf(path + "." + field), test,
          when, field, message));
    }
  }
}

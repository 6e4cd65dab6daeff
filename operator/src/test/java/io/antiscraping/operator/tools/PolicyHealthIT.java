package io.antiscraping.operator.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.antiscraping.testing.ControlPlane;
import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.ScrapingPolicyStatus;
import io.antiscraping.api.v1alpha1.Waf;
import io.antiscraping.operator.decision.DecisionEngine;
import io.antiscraping.operator.detection.QueryResult;
import io.antiscraping.operator.detection.SignalReader;
import io.antiscraping.operator.enforcement.EnforcementReport;
import io.antiscraping.operator.enforcement.EnforcementReport.TargetResult;
import io.antiscraping.operator.enforcement.ingressnginx.IngressNginxAnnotations;
import io.antiscraping.operator.metrics.OperatorMetrics;
import io.antiscraping.operator.reconciler.Evaluation;
import io.antiscraping.operator.reconciler.LiveEvaluator;
import io.antiscraping.operator.reconciler.StatusPreview;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.prometheus.client.CollectorRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The policy's health as GitOps tools compute it, in every condition state the operator reports: each status is
 * built by the reconciler's own status code from the evaluator's real output, written to a real API server, read
 * back, and judged by the real kstatus library (the {@code .ci/kstatus} checker, sigs.k8s.io/cli-utils) and by the
 * Argo CD health check {@code examples/argocd/health.lua} in a real Lua interpreter.
 */
class PolicyHealthIT {

  static final Path HEALTH_LUA = Path.of("../examples/argocd/health.lua");
  static final ObjectMapper JSON = new ObjectMapper();
  static final String NS = "policy-health";
  static KubernetesClient client;
  static String kstatus;

  @BeforeAll
  static void setUp() throws Exception {
    client = ControlPlane.shared().admin();
    if (client.namespaces().withName(NS).get() == null) {
      client.resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
    }
    Process p = new ProcessBuilder("../.ci/kstatus.sh").redirectErrorStream(false).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(".ci/kstatus.sh builds the kstatus checker: %s", err).isZero();
    kstatus = out;
    Process lua = new ProcessBuilder("lua5.4", "-v").start();
    assertThat(lua.waitFor()).as("lua5.4 (Debian package lua5.4) runs the Argo CD health check").isZero();
  }

  @AfterAll
  static void tearDown() {
    client.namespaces().withName(NS).delete();
  }

  /** A state: how the evaluation's readings look, the data plane's report, and the expected health. */
  /** What Prometheus answers: every signal, none, or per-client values with an internal address above the bar. */
  enum Metrics { UP, DOWN, A_PROXY_ABOVE_THE_BAR }

  record State(String name, UnaryOperator<ScrapingPolicySpec> spec, Metrics metrics, String report,
               String kstatus, String argo) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> states() {
    UnaryOperator<ScrapingPolicySpec> same = s -> s;
    return Stream.of(
        new State("no status yet", same, Metrics.UP, "none", "Current", "Progressing"),
        new State("ready", same, Metrics.UP, "enforced", "Current", "Healthy"),
        new State("dry run", s -> s.toBuilder().dryRun(true).build(), Metrics.UP, "enforced", "Current", "Healthy"),
        new State("metrics unavailable", same, Metrics.DOWN, "enforced", "InProgress", "Degraded"),
        new State("not enforceable", s -> blocking(s), Metrics.UP, "enforced", "InProgress", "Degraded"),
        new State("no targets", same, Metrics.UP, "no targets", "InProgress", "Degraded"),
        new State("conflict", same, Metrics.UP, "conflict", "InProgress", "Degraded"),
        new State("not accepted", same, Metrics.UP, "not accepted", "InProgress", "Progressing"),
        new State("invalid", same, Metrics.UP, "invalid", "Failed", "Degraded"),
        new State("spec changed since the last evaluation", same, Metrics.UP, "stale", "InProgress", "Progressing"),
        // In force, so Ready=True and kstatus (which reads Ready, Reconciling and Stalled, not Degraded) says
        // Current; Degraded=True says that a ban would hit everyone behind that address, and Argo CD shows it.
        new State("client addresses suspect", same, Metrics.A_PROXY_ABOVE_THE_BAR, "enforced", "Current", "Degraded")
    ).map(Arguments::of);
  }

  static ScrapingPolicySpec blocking(ScrapingPolicySpec s) {
    ScrapingPolicySpec copy = PolicyCheck.MAPPER.convertValue(PolicyCheck.MAPPER.valueToTree(s),
        ScrapingPolicySpec.class);
    copy.getLevels().get(0).setWaf(Waf.builder().mode(Waf.Mode.BLOCKING).coreRuleSet(true).build());
    return copy;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("states")
  void healthOfEveryConditionState(State state) throws Exception {
    PolicySource example = PolicySource.load(null, ValidateCommandTest.EXAMPLE.toString(), System.in);
    String name = state.name().replaceAll("[^a-z]+", "-");
    ScrapingPolicy policy = new ScrapingPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    policy.setSpec(state.spec().apply(example.spec()));
    ScrapingPolicy created = client.resource(policy).create();
    if (!"none".equals(state.report())) {
      Instant now = Instant.now();
      ScrapingPolicyStatus status = "invalid".equals(state.report())
          ? StatusPreview.invalid(created, new ScrapingPolicyStatus(), "spec.levels[1].when[0].signal: no signal "
              + "named profile-read", now)
          : StatusPreview.next(created, new ScrapingPolicyStatus(), evaluate(created, state.metrics(), now),
              report(state.report(), created), now, "Ingress");
      created.setStatus(status);
      created = client.resource(created).updateStatus();
      if ("stale".equals(state.report())) {
        created.getSpec().setCooldown("15m");
        client.resource(created).update();
      }
    }
    GenericKubernetesResource stored = client.genericKubernetesResources("antiscraping.io/v1alpha1",
        "ScrapingPolicy").inNamespace(NS).withName(name).get();
    String json = client.getKubernetesSerialization().asJson(stored);

    Process p = new ProcessBuilder(kstatus).start();
    p.getOutputStream().write(json.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(err).isZero();
    JsonNode result = JSON.readTree(out);
    assertThat(result.path("status").asText()).as("kstatus of %s: %s", state, out).isEqualTo(state.kstatus());

    Path script = Files.createTempFile("health", ".lua");
    Files.writeString(script, "obj = " + lua(JSON.readTree(json)) + "\n"
        + "local hs = assert(loadfile(arg[1]))()\n"
        + "io.write(hs.status, '\\t', hs.message)\n");
    Process l = new ProcessBuilder("lua5.4", script.toString(), HEALTH_LUA.toString()).start();
    String health = new String(l.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String luaErr = new String(l.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(l.waitFor()).as(luaErr).isZero();
    Files.delete(script);
    assertThat(health.split("\t", 2)[0]).as("Argo CD health of %s: %s", state, health).isEqualTo(state.argo());
    assertThat(health.split("\t", 2)[1]).as("a message says why").isNotBlank();
    if (state.metrics() == Metrics.A_PROXY_ABOVE_THE_BAR) {
      assertThat(health.split("\t", 2)[1]).contains("Degraded (ClientAddressesSuspect)").contains("10.1.2.3");
    }
  }

  static Evaluation evaluate(ScrapingPolicy policy, Metrics metrics, Instant now) {
    SignalReader reader = new SignalReader((endpoint, promql) -> switch (metrics) {
      case UP -> new QueryResult.Vector(List.of(new QueryResult.Series(Map.of(), 1.0)));
      case DOWN -> new QueryResult.Failure(QueryResult.Kind.UNREACHABLE, "connection refused");
      // 10.1.2.3 is private and allowlisted: no ban may cover it, and at 100 requests/s it stands for many clients.
      case A_PROXY_ABOVE_THE_BAR -> new QueryResult.Vector(List.of(promql.contains("by (client)")
          ? new QueryResult.Series(Map.of("client", "10.1.2.3"), 100.0) : new QueryResult.Series(Map.of(), 1.0)));
    });
    ScrapingPolicy copy = new ScrapingPolicy();
    copy.setMetadata(policy.getMetadata());
    copy.setSpec(policy.getSpec().toBuilder().prometheus(null).build());
    return new LiveEvaluator(reader, new DecisionEngine(),
        (ns, n, k) -> LiveEvaluator.SecretSource.Lookup.missing("a policy test reads no Secrets"),
        URI.create("http://prometheus.test:9090"), new OperatorMetrics(new CollectorRegistry()))
        .evaluate(copy, new ScrapingPolicyStatus(), now);
  }

  /** What the ingress-nginx enforcer would report in each state (the renderer's not-enforceable parts included). */
  static EnforcementReport report(String kind, ScrapingPolicy policy) {
    List<String> notEnforceable = IngressNginxAnnotations.render(
        io.antiscraping.operator.decision.Plans.forLevel(policy.getSpec(), "normal", List.of()), false).notEnforceable();
    return switch (kind) {
      case "enforced", "stale" -> new EnforcementReport(List.of(new TargetResult("Ingress", "profiles", true,
          "level normal enforced")), List.of(), notEnforceable, List.of(), 1);
      case "no targets" -> new EnforcementReport(List.of(), List.of(), List.of(), List.of(), 0);
      case "conflict" -> {
        String why = "Ingress profiles is also selected by policy older, which takes precedence";
        yield new EnforcementReport(List.of(new TargetResult("Ingress", "profiles", false, why)), List.of(why),
            List.of(), List.of(), 0);
      }
      case "not accepted" -> new EnforcementReport(List.of(new TargetResult("Ingress", "profiles", false,
          "written, not accepted yet")), List.of(), List.of(), List.of(), 1);
      default -> throw new IllegalArgumentException(kind);
    };
  }

  /** JSON as a Lua table constructor. */
  static String lua(JsonNode n) {
    if (n.isObject()) {
      StringBuilder sb = new StringBuilder("{");
      n.fields().forEachRemaining(e -> sb.append("[").append(quote(e.getKey())).append("]=")
          .append(lua(e.getValue())).append(","));
      return sb.append("}").toString();
    }
    if (n.isArray()) {
      StringBuilder sb = new StringBuilder("{");
      n.forEach(v -> sb.append(lua(v)).append(","));
      return sb.append("}").toString();
    }
    if (n.isNumber() || n.isBoolean()) {
      return n.asText();
    }
    if (n.isNull()) {
      return "nil";
    }
    return quote(n.asText());
  }

  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\%03d", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }
}

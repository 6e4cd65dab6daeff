package io.antiscraping.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.hotspot.DefaultExports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the chart assumes about the operator holds in the operator's sources: every metric an alert or a dashboard
 * panel queries is one the operator exports, every flag the Deployment passes is one {@code run} declares, and the
 * image runs the jar the operator build produces.
 */
class OperatorContractTest {

  static final Path OPERATOR = Path.of("..", "operator");
  static final Path OPERATOR_SOURCES = OPERATOR.resolve(Path.of("src", "main", "java"));

  /** Series Prometheus creates for every target, whatever it exports. */
  static final Set<String> PROMETHEUS_SERIES = Set.of("up");

  private static final Pattern METRIC_LITERAL = Pattern.compile("\"(antiscraping_[a-z0-9_]+)\"");
  private static final Pattern BUILDER = Pattern.compile("\\b(Counter|Gauge|Histogram|Summary)\\s*\\.\\s*build\\b");
  private static final Set<String> PROMQL_KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring",
      "group_left", "group_right", "bool", "offset", "inf", "nan", "atan2");

  @Test
  void alertsQueryOnlyMetricsTheOperatorExports() {
    Set<String> exported = exportedSeries();
    JsonNode rule = HelmChart.template(Scenario.MONITORING.values).one("PrometheusRule");
    Map<String, Set<String>> unknown = new LinkedHashMap<>();
    rule.at("/spec/groups").forEach(g -> g.path("rules").forEach(a -> {
      Set<String> missing = unknownMetrics(a.path("expr").asText(), exported);
      if (!missing.isEmpty()) {
        unknown.put(a.path("alert").asText(), missing);
      }
    }));
    assertThat(unknown).as("alerts on series the operator does not export (it exports %s and JVM metrics)",
        exported.stream().filter(n -> n.startsWith("antiscraping_")).toList()).isEmpty();
  }

  @Test
  void dashboardQueriesOnlyMetricsTheOperatorExports() throws IOException {
    Set<String> exported = exportedSeries();
    JsonNode dashboard = HelmChart.JSON.readTree(
        Files.readString(HelmChart.CHART.resolve("dashboards/antiscraping-operator.json")));
    Map<String, Set<String>> unknown = new LinkedHashMap<>();
    for (String expr : dashboardQueries(dashboard)) {
      Set<String> missing = unknownMetrics(expr, exported);
      if (!missing.isEmpty()) {
        unknown.put(expr, missing);
      }
    }
    assertThat(unknown).as("dashboard queries on series the operator does not export").isEmpty();
  }

  @Test
  void everyOperatorMetricIsAlertedOnOrCharted() throws IOException {
    Set<String> queried = new TreeSet<>();
    HelmChart.template(Scenario.MONITORING.values).one("PrometheusRule").at("/spec/groups").forEach(g ->
        g.path("rules").forEach(a -> queried.addAll(metricNames(a.path("expr").asText()))));
    JsonNode dashboard = HelmChart.JSON.readTree(
        Files.readString(HelmChart.CHART.resolve("dashboards/antiscraping-operator.json")));
    dashboardQueries(dashboard).forEach(q -> queried.addAll(metricNames(q)));
    assertThat(operatorMetrics().keySet()).allSatisfy(family ->
        assertThat(queried).as("no alert or panel shows %s", family).anyMatch(q -> q.startsWith(family)));
  }

  @Test
  void metricNameCheckRejectsWhatTheOperatorDoesNotExport() {
    Set<String> exported = exportedSeries();
    assertThat(exported).contains("antiscraping_evaluations_total", "antiscraping_policy_level",
        "antiscraping_evaluation_duration_seconds_bucket", "jvm_memory_bytes_used", "process_cpu_seconds_total");
    assertThat(exported).as("a counter is exported with _total only")
        .doesNotContain("antiscraping_evaluations", "antiscraping_evaluations_total_total");
    assertThat(exported).as("a histogram has no bare series").doesNotContain("antiscraping_evaluation_duration_seconds");

    String expr = "sum by (namespace, policy) (rate(antiscraping_evaluation_errors_total{result=\"error\"}[5m])) > 0"
        + " unless on (namespace) antiscraping_policy_level offset 5m and ignoring(job) up";
    assertThat(metricNames(expr)).containsExactlyInAnyOrder(
        "antiscraping_evaluation_errors_total", "antiscraping_policy_level", "up");
    assertThat(unknownMetrics(expr, exported)).containsExactly("antiscraping_evaluation_errors_total");
    assertThat(metricNames("histogram_quantile(0.95, sum by (le) (rate(x_bucket{job=~\"$job\"}[$__rate_interval])))"))
        .containsExactly("x_bucket");
  }

  @Test
  void deploymentPassesOnlyFlagsTheRunCommandDeclares() {
    Set<String> declared = runCommandOptions();
    assertThat(declared).contains("--namespace", "--prometheus-url", "--leader-election", "--no-leader-election");
    for (Scenario scenario : Scenario.values()) {
      Container c = ChartRenderTest.operator(HelmChart.template(scenario.values).one(Deployment.class));
      assertThat(c.getArgs().get(0)).isEqualTo("run");
      assertThat(c.getArgs().subList(1, c.getArgs().size()))
          .as("%s: flags of `antiscraping-operator run`", scenario)
          .allSatisfy(arg -> assertThat(declared).contains(arg.split("=", 2)[0]));
    }
    Container noLeader = ChartRenderTest.operator(HelmChart.template(
        Map.of("leaderElection", Map.of("enabled", false))).one(Deployment.class));
    assertThat(noLeader.getArgs().subList(1, noLeader.getArgs().size()))
        .allSatisfy(arg -> assertThat(declared).contains(arg.split("=", 2)[0]));
  }

  @Test
  void chartDefaultsAreTheOperatorDefaults() {
    String settings = read(OPERATOR_SOURCES.resolve("io/antiscraping/operator/runtime/OperatorSettings.java"));
    JsonNode values = HelmChart.defaultValues();
    assertThat(constant(settings, "DEFAULT_PROMETHEUS_URL")).isEqualTo(values.at("/prometheus/url").asText());
    assertThat(constant(settings, "DEFAULT_METRICS_PORT")).isEqualTo(values.at("/metrics/port").asText());
    String limits = read(OPERATOR_SOURCES.resolve("io/antiscraping/operator/detection/TenantLimits.java"));
    assertThat(constant(limits, "DEFAULT_CONCURRENT_EVALUATIONS"))
        .isEqualTo(values.at("/namespaceLimits/concurrentEvaluations").asText());
    assertThat(constant(limits, "DEFAULT_QUERIES_PER_MINUTE"))
        .isEqualTo(values.at("/namespaceLimits/queriesPerMinute").asText());
  }

  @Test
  void imageRunsTheJarTheOperatorBuildProduces() {
    Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(read(OPERATOR.resolve("pom.xml")));
    assertThat(finalName.find()).as("operator/pom.xml names its jar").isTrue();
    String jar = finalName.group(1) + ".jar";
    String dockerfile = read(OPERATOR.resolve("Dockerfile"));
    assertThat(dockerfile).contains("COPY target/" + jar + " ").contains("\"-jar\", \"/opt/antiscraping/" + jar + "\"")
        .contains("CMD [\"run\"]").containsPattern("(?m)^USER 65532");
  }

  /**
   * Issue S: {@code FROM eclipse-temurin:17-jre} took whatever the tag pointed at on the day of the build. The base
   * is an exact Temurin release on a named distribution ({@code 17.0.15_6-jre-noble}), optionally with a digest.
   */
  @Test
  void theBaseImageIsPinnedToAnExactRelease() {
    List<String> from = read(OPERATOR.resolve("Dockerfile")).lines().filter(l -> l.startsWith("FROM ")).toList();
    assertThat(from).singleElement().asString()
        .matches("FROM eclipse-temurin:17\\.\\d+\\.\\d+(\\.\\d+)?_\\d+-jre-[a-z]+(@sha256:[0-9a-f]{64})?");
  }

  // ---- metric names ----

  /** Every series name the operator exposes on /metrics: its own metrics plus the JVM's (simpleclient_hotspot). */
  static Set<String> exportedSeries() {
    Set<String> series = new TreeSet<>();
    operatorMetrics().forEach((name, type) -> series.addAll(seriesOf(name, type)));
    CollectorRegistry jvm = new CollectorRegistry();
    DefaultExports.register(jvm);
    for (Collector.MetricFamilySamples family : Collections.list(jvm.metricFamilySamples())) {
      family.samples.forEach(s -> series.add(s.name));
    }
    series.addAll(PROMETHEUS_SERIES);
    return series;
  }

  /**
   * Metric names declared in the operator's sources ({@code "antiscraping_..."} string literals) and their type,
   * read from the {@code Counter/Gauge/Histogram/Summary.build(...)} statement that uses the literal or the constant
   * holding it. Unknown type: counter if the name ends in {@code _total}, else gauge.
   */
  static Map<String, String> operatorMetrics() {
    assertThat(OPERATOR_SOURCES).as("operator sources next to the chart module").isDirectory();
    Map<String, String> metrics = new LinkedHashMap<>();
    try (Stream<Path> files = Files.walk(OPERATOR_SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
        String src = read(file);
        Matcher m = METRIC_LITERAL.matcher(src);
        while (m.find()) {
          String name = m.group(1);
          String constant = constantHolding(src, m.start());
          String type = builderType(src, "\"" + name + "\"");
          if (type == null && constant != null) {
            type = builderType(src, constant);
          }
          if (type == null) {
            type = name.endsWith("_total") ? "counter" : "gauge";
          }
          metrics.put(name, type);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(metrics).as("antiscraping_* metric names in %s", OPERATOR_SOURCES).isNotEmpty();
    return metrics;
  }

  private static List<String> seriesOf(String name, String type) {
    return switch (type) {
      case "counter" -> List.of(name.endsWith("_total") ? name : name + "_total");
      case "histogram" -> List.of(name + "_bucket", name + "_sum", name + "_count");
      case "summary" -> List.of(name, name + "_sum", name + "_count");
      default -> List.of(name);
    };
  }

  /** The type of the metric built in the statement mentioning {@code token}, or null. */
  private static String builderType(String src, String token) {
    Matcher b = BUILDER.matcher(src);
    while (b.find()) {
      int end = src.indexOf(';', b.end());
      String statement = src.substring(b.start(), end < 0 ? src.length() : end);
      boolean mentions = token.startsWith("\"") ? statement.contains(token)
          : Pattern.compile("\\b" + Pattern.quote(token) + "\\b").matcher(statement).find();
      if (mentions) {
        return b.group(1).toLowerCase();
      }
    }
    return null;
  }

  /** The constant a literal at {@code pos} is assigned to ({@code static final String NAME = "..."}), or null. */
  private static String constantHolding(String src, int pos) {
    int lineStart = src.lastIndexOf('\n', pos) + 1;
    Matcher c = Pattern.compile("\\b([A-Z][A-Z0-9_]*)\\s*=\\s*$").matcher(src.substring(lineStart, pos));
    return c.find() ? c.group(1) : null;
  }

  /** Metric names in a PromQL expression: identifiers that are not functions, keywords, labels or durations. */
  static Set<String> metricNames(String expr) {
    String e = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
        .replaceAll("'(\\\\.|[^'\\\\])*'", "''")
        .replaceAll("\\{[^}]*}", "")
        .replaceAll("\\[[^]]*]", "")
        .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
    Set<String> names = new TreeSet<>();
    Matcher t = Pattern.compile("\\d+(\\.\\d+)?([a-zA-Z]+)?|([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?").matcher(e);
    while (t.find()) {
      String ident = t.group(3);
      if (ident != null && t.group(4) == null && !PROMQL_KEYWORDS.contains(ident.toLowerCase())) {
        names.add(ident);
      }
    }
    return names;
  }

  static Set<String> unknownMetrics(String expr, Set<String> exported) {
    Set<String> unknown = new TreeSet<>(metricNames(expr));
    unknown.removeAll(exported);
    return unknown;
  }

  /** Every PromQL query of a Grafana dashboard: panel targets and query variables. */
  static List<String> dashboardQueries(JsonNode dashboard) {
    List<String> queries = new ArrayList<>();
    collectTargets(dashboard.path("panels"), queries);
    for (JsonNode var : dashboard.at("/templating/list")) {
      JsonNode q = var.path("query");
      String query = q.isObject() ? q.path("query").asText() : "query".equals(var.path("type").asText())
          ? q.asText() : "";
      Matcher lv = Pattern.compile("^label_values\\((.*),\\s*\\w+\\)$").matcher(query.trim());
      if (lv.find()) {
        queries.add(lv.group(1));
      } else if (!query.isBlank() && "query".equals(var.path("type").asText())) {
        queries.add(query);
      }
    }
    return queries;
  }

  private static void collectTargets(JsonNode panels, List<String> out) {
    for (JsonNode panel : panels) {
      panel.path("targets").forEach(t -> {
        if (t.hasNonNull("expr")) {
          out.add(t.get("expr").asText());
        }
      });
      collectTargets(panel.path("panels"), out);
    }
  }

  // ---- flags ----

  /** Option names (and negated forms) of the picocli command named {@code run}. */
  static Set<String> runCommandOptions() {
    try (Stream<Path> files = Files.walk(OPERATOR_SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String src = read(file);
        if (!Pattern.compile("@Command\\s*\\(\\s*name\\s*=\\s*\"run\"").matcher(src).find()) {
          continue;
        }
        Set<String> options = new TreeSet<>();
        Matcher o = Pattern.compile("@Option\\s*\\(\\s*names\\s*=\\s*(\\{[^}]*}|\"[^\"]*\")").matcher(src);
        while (o.find()) {
          int fieldEnd = src.indexOf(';', o.end());
          boolean negatable = Pattern.compile("negatable\\s*=\\s*true")
              .matcher(src.substring(o.start(), fieldEnd)).find();
          Matcher n = Pattern.compile("\"(-[^\"]+)\"").matcher(o.group(1));
          while (n.find()) {
            options.add(n.group(1));
            if (negatable && n.group(1).startsWith("--")) {
              options.add("--no-" + n.group(1).substring(2));
            }
          }
        }
        return options;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new AssertionError("no @Command(name = \"run\") in " + OPERATOR_SOURCES);
  }

  private static String constant(String src, String name) {
    Matcher m = Pattern.compile("\\b" + name + "\\s*=\\s*\"?([^\";]+)\"?\\s*;").matcher(src);
    assertThat(m.find()).as("constant %s", name).isTrue();
    return m.group(1).trim();
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package io.antiscraping.lab.report;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The lab's results page ({@code docs/lab/results.md}), built from a run's report.json alone: the run's provenance
 * (commit, date, machine, Kubernetes API, controller and operator settings), a row per scenario family (the seeds
 * of a family as ranges) and the summary table of every scenario.
 *
 * <p>{@code java -cp e2e/target/antiscraping-lab.jar io.antiscraping.lab.report.ResultsPage REPORT_JSON OUT_MD}
 * writes the page of an existing report.
 */
public final class ResultsPage {

  /** The page's first line: the docs link checker and readers know it is generated. */
  public static final String TITLE = "# Storefront lab: results";

  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private ResultsPage() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: ResultsPage REPORT_JSON OUT_MD");
      System.exit(2);
    }
    write(Path.of(args[0]), Path.of(args[1]));
    System.out.println("Results page: " + Path.of(args[1]).toAbsolutePath());
  }

  /** Writes the page of {@code reportJson} to {@code out}. */
  public static void write(Path reportJson, Path out) throws IOException {
    String page = markdown(JSON.readTree(reportJson.toFile()));
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(out, page);
  }

  /** The page of a report.json tree ({@code environment}, {@code run}, {@code scenarios}). */
  public static String markdown(JsonNode report) throws IOException {
    List<ScenarioOutcome> outcomes = new ArrayList<>();
    for (JsonNode s : report.path("scenarios")) {
      outcomes.add(JSON.treeToValue(s, ScenarioOutcome.class));
    }
    JsonNode run = report.path("run");
    StringBuilder md = new StringBuilder(TITLE).append("\n\n");
    md.append("<!-- Generated from report.json by the storefront lab (io.antiscraping.lab.report.ResultsPage): "
        + "do not edit, run the lab. -->\n\n");
    md.append("The figures of one run of the [storefront lab](README.md): what it measures, and the bounds every CI "
        + "run holds it to, are described there; the scenarios in [scenarios.md](scenarios.md).\n\n");

    md.append("## The run\n\n| | |\n|---|---|\n");
    row(md, "Commit", run.hasNonNull("commit") ? "`" + run.get("commit").asText() + "`" : "not recorded");
    row(md, "Date", run.hasNonNull("date") ? run.get("date").asText() : "not recorded");
    row(md, "Machine", machine(run.path("machine")));
    row(md, "Kubernetes API", text(run, "kubernetesApi"));
    row(md, "Ingress controller (ingress-nginx, modelled)", settings(run.path("ingressController")));
    row(md, "Operator", settings(run.path("operator")));
    row(md, "Prometheus", run.hasNonNull("prometheusScrape") ? "scraping every " + run.get("prometheusScrape").asText()
        : "not recorded");
    row(md, "Scenarios", outcomes.size() + (run.has("scenariosAtOnce") ? ", " + run.get("scenariosAtOnce").asInt()
        + " at once (one with more than " + run.path("runsAloneAbove").asInt() + " virtual clients alone)" : ""));
    if (report.hasNonNull("environment")) {
      row(md, "Environment, as the report states it", report.get("environment").asText());
    }
    md.append('\n');

    md.append("## Per scenario family\n\n");
    md.append("The seeds of a family (`<name>-s<seed>`) together, as ranges. Contained: every 5 s window from then on "
        + "lets through under 5 % of the crawlers' requests to the protected routes.\n\n");
    md.append(familyTable(outcomes)).append('\n');

    md.append("## Per scenario\n\n");
    md.append(ReportWriter.summary(outcomes));
    return md.toString();
  }

  /** One row per family, in report order: a family's seeds merged into ranges. */
  static String familyTable(List<ScenarioOutcome> outcomes) {
    Map<String, List<ScenarioOutcome>> families = new LinkedHashMap<>();
    for (ScenarioOutcome o : outcomes) {
      families.computeIfAbsent(family(o.scenario()), k -> new ArrayList<>()).add(o);
    }
    StringBuilder t = new StringBuilder("| scenario | runs | contained | profiles obtained | records per crawler "
        + "address | shopper denials (arrivals during the attack denied) | wrongful bans | reloads/min (peak) |\n");
    t.append("|---|---:|---|---|---|---|---|---|\n");
    families.forEach((name, runs) -> {
      boolean attack = runs.stream().anyMatch(o -> o.attackEndSeconds() != null);
      String contained;
      if (!attack) {
        contained = "- (no crawlers)";
      } else if (runs.stream().anyMatch(o -> o.attackEndSeconds() != null && o.timeToContainSeconds() == null)) {
        contained = "NOT contained in " + runs.stream().filter(o -> o.attackEndSeconds() != null
            && o.timeToContainSeconds() == null).count() + " of " + runs.size();
      } else {
        contained = "in " + range(runs, ScenarioOutcome::timeToContainSeconds, "%.0f") + " s";
      }
      String denials = range(runs, o -> 100 * o.shopperDenialShare(), "%.2f") + " %";
      if (attack) {
        denials += " (" + range(runs, o -> (double) o.arrivalDenied(), "%,.0f") + " of "
            + range(runs, o -> (double) o.arrivalRequests(), "%,.0f") + ")";
      }
      t.append("| ").append(name).append(" | ").append(runs.size()).append(" | ").append(contained).append(" | ")
          .append(attack ? range(runs, o -> (double) o.crawlerProfileRecords(), "%,.0f") : "-").append(" | ")
          .append(attack ? range(runs, ScenarioOutcome::profileRecordsPerCrawlerAddress, "%.1f") : "-").append(" | ")
          .append(denials).append(" | ")
          .append(range(runs, o -> (double) o.wrongfulBans().size(), "%.0f")).append(" | ")
          .append(range(runs, ScenarioOutcome::nginxReloadsPerMinute, "%.0f")).append(" |\n");
    });
    return t.toString();
  }

  /** {@code wide-pool-s301} belongs to {@code wide-pool}; a single file is a family of its own. */
  static String family(String scenario) {
    return scenario.replaceFirst("-s\\d+$", "");
  }

  private static String range(List<ScenarioOutcome> runs, Function<ScenarioOutcome, Double> value, String format) {
    List<String> shown = runs.stream().map(value).filter(Objects::nonNull)
        .sorted().map(v -> String.format(Locale.ROOT, format, v)).distinct().toList();
    if (shown.isEmpty()) {
      return "-";
    }
    String low = shown.get(0);
    String high = shown.get(shown.size() - 1);
    return low.equals(high) ? low : low + "-" + high;
  }

  private static String machine(JsonNode m) {
    if (m.isMissingNode() || m.isNull()) {
      return "not recorded";
    }
    List<String> parts = new ArrayList<>();
    parts.add(m.path("cores").asInt() + " cores" + (m.hasNonNull("cpu") ? " (" + m.get("cpu").asText() + ")" : ""));
    parts.add(m.hasNonNull("memoryBytes")
        ? String.format(Locale.ROOT, "%.1f GiB memory", m.get("memoryBytes").asDouble() / (1L << 30))
        : "memory unknown");
    if (m.hasNonNull("os")) {
      parts.add(m.get("os").asText());
    }
    if (m.hasNonNull("java")) {
      parts.add(m.get("java").asText());
    }
    return String.join("; ", parts);
  }

  private static String settings(JsonNode s) {
    if (!s.isObject() || s.isEmpty()) {
      return "not recorded";
    }
    List<String> parts = new ArrayList<>();
    s.fields().forEachRemaining(e -> parts.add("`" + e.getKey() + "`: " + (e.getValue().isTextual()
        ? (e.getValue().asText().isEmpty() ? "none" : e.getValue().asText()) : e.getValue().toString())));
    return String.join(", ", parts);
  }

  private static String text(JsonNode n, String field) {
    return n.hasNonNull(field) ? n.get(field).asText() : "not recorded";
  }

  private static void row(StringBuilder md, String key, String value) {
    md.append("| ").append(key).append(" | ").append(value.replace("|", "\\|").replace("\n", " ")).append(" |\n");
  }
}

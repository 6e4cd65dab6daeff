package io.antiscraping.lab.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes report.md, report.json and results.md (the {@link ResultsPage}, built from report.json) for a lab session,
 * and the short summary printed on the console.
 */
public final class ReportWriter {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReportWriter() {}

  public static void write(Path dir, String environment, RunInfo run, List<ScenarioOutcome> outcomes)
      throws IOException {
    Files.createDirectories(dir);
    java.util.Map<String, Object> report = new java.util.LinkedHashMap<>();
    report.put("environment", environment);
    report.put("run", run);
    report.put("scenarios", outcomes);
    Path json = dir.resolve("report.json");
    JSON.writeValue(json.toFile(), report);
    Files.writeString(dir.resolve("report.md"), markdown(environment, outcomes));
    ResultsPage.write(json, dir.resolve("results.md"));
  }

  public static String markdown(String environment, List<ScenarioOutcome> outcomes) {
    StringBuilder md = new StringBuilder("# Storefront lab report\n\n");
    md.append(environment).append("\n\n");
    md.append(summary(outcomes)).append('\n');
    for (ScenarioOutcome o : outcomes) {
      md.append("## ").append(o.scenario()).append("\n\n");
      if (o.description() != null) {
        md.append(o.description().strip()).append("\n\n");
      }
      md.append("Policy: `").append(o.policy()).append("`. Run: ").append(fmt(o.runSeconds())).append(" s, ")
          .append(o.requests()).append(" requests. Timeline: `").append(o.scenario()).append(".png`, access log: `")
          .append(o.scenario()).append("-access.log`, requests that failed without a response or with a 5xx: `")
          .append(o.scenario()).append("-failed-requests.log`.\n\n");
      md.append("| group | class | clients | addresses used | requests | ok | denied (503/429/403) | errors | first request (s) | time to contain (s) | profiles | comments | products |\n");
      md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      for (ScenarioOutcome.GroupOutcome g : o.groups()) {
        md.append("| ").append(g.name()).append(" | ").append(g.clientClass()).append(" | ").append(g.clients())
            .append(" | ").append(g.addresses()).append(" | ").append(g.requests()).append(" | ").append(g.ok()).append(" | ").append(g.denied())
            .append(" | ").append(g.errors()).append(" | ").append(fmt(g.firstRequestSeconds())).append(" | ")
            .append(g.clientClass().equals("crawler") ? fmtContain(g.timeToContainSeconds()) : "-").append(" | ")
            .append(g.profileRecords()).append(" | ").append(g.commentRecords()).append(" | ")
            .append(g.productRecords()).append(" |\n");
      }
      md.append('\n');
      md.append("- Time to contain (all crawlers): ").append(o.attackEndSeconds() == null ? "no crawlers"
          : fmtContain(o.timeToContainSeconds()) + (o.timeToContainSeconds() == null ? "" : " s")).append('\n');
      md.append("- Crawler records obtained: ").append(o.crawlerProfileRecords()).append(" profiles (")
          .append(o.crawlerProfileRecordsBeforeContainment()).append(" before containment), ")
          .append(o.crawlerCommentRecords()).append(" comments (").append(o.crawlerCommentRecordsBeforeContainment())
          .append(" before containment)");
      if (o.crawlerRecordsPerSecondBeforeContainment() != null) {
        md.append("; pace before containment ").append(fmt(o.crawlerRecordsPerSecondBeforeContainment()))
            .append(" records/s");
      }
      md.append('\n');
      if (o.profileRecordsPerCrawlerAddress() != null) {
        md.append("- Profile records per crawler address: ").append(fmt(o.profileRecordsPerCrawlerAddress()))
            .append(" (").append(o.crawlerAddresses()).append(" crawler addresses)\n");
      }
      if (o.attackEndSeconds() != null) {
        md.append("- Shoppers who arrived during the attack: ").append(o.arrivalDenied()).append(" of ")
            .append(o.arrivalRequests()).append(" requests denied (").append(o.arrivalProtectedDenied())
            .append(" of ").append(o.arrivalProtectedRequests())
            .append(" on the protected routes): what lockdown and bans cost a new visitor\n");
      }
      md.append("- Shopper requests denied: ").append(o.shopperDenied()).append(" of ").append(o.shopperRequests())
          .append(" (").append(String.format(Locale.ROOT, "%.3f", 100 * o.shopperDenialShare())).append(" %); ")
          .append("failed without a response or 5xx: ").append(o.shopperErrors()).append('\n');
      if (o.searchBotRequests() > 0) {
        md.append("- Search bot requests denied: ").append(o.searchBotDenied()).append(" of ")
            .append(o.searchBotRequests()).append('\n');
      }
      md.append("- Bans: ").append(o.everBanned().size()).append(" addresses banned during the run (at most ")
          .append(o.maxBanned()).append(" at once); wrongful bans: ").append(o.wrongfulBans().size())
          .append(o.wrongfulBans().isEmpty() ? "" : " " + o.wrongfulBans()).append('\n');
      md.append("- Levels: ");
      for (int i = 0; i < o.levels().size(); i++) {
        Timeline.LevelChange c = o.levels().get(i);
        md.append(i == 0 ? "" : " -> ").append(c.level()).append(" @").append(fmt(c.atMillis() / 1000.0)).append("s");
      }
      md.append('\n');
      if (o.attackEndSeconds() != null) {
        md.append("- Attack ended at ").append(fmt(o.attackEndSeconds())).append(" s; back to `")
            .append(o.baselineLevel()).append("` at ")
            .append(o.backToBaselineSeconds() == null ? "never (within the run)" : fmt(o.backToBaselineSeconds()) + " s")
            .append('\n');
      }
      md.append("- Client label values in the per-client metric that are no client's true address: ")
          .append(o.foreignClientLabels().isEmpty() ? "none" : o.foreignClientLabels().toString()).append('\n');
      md.append("- Operator API writes: ").append(o.ingressWrites()).append(" Ingress updates, ")
          .append(o.statusWrites()).append(" policy status updates; nginx reloads: ").append(o.nginxReloads())
          .append(" (at most ").append(fmt(o.nginxReloadsPerMinute())).append(" in any minute)\n");
      if (o.shopperFeatureQuantiles() != null && !o.shopperFeatureQuantiles().isEmpty()) {
        md.append("- Shopper features (each client's or /24's peak over the run, quantile across them; "
            + "docs/guides/distributed-crawls.md, \"Choosing the bars from your shoppers\"):\n");
        o.shopperFeatureQuantiles().forEach((k, v) -> md.append("  - `").append(k).append("`: ")
            .append(v == null || v.isNaN() ? "no data" : String.format(Locale.ROOT, "%.4f", v)).append('\n'));
      }
      if (o.nginxRestoredAfterDelete() != null) {
        md.append("- Policy deleted: nginx configuration ")
            .append(o.nginxRestoredAfterDelete() ? "restored to what it was before the policy" : "NOT restored")
            .append('\n');
      }
      for (String note : o.notes()) {
        md.append("- ").append(note).append('\n');
      }
      md.append('\n');
    }
    return md.toString();
  }

  /** The table printed on the console and at the top of report.md. */
  public static String summary(List<ScenarioOutcome> outcomes) {
    StringBuilder s = new StringBuilder();
    s.append("| scenario | time to contain | profiles obtained (before containment) | records per crawler address | comments obtained | shopper denials | arrivals denied | wrongful bans | reloads/min (peak) | Ingress writes | back to baseline | nginx restored |\n");
    s.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (ScenarioOutcome o : outcomes) {
      s.append("| ").append(o.scenario()).append(" | ")
          .append(o.attackEndSeconds() == null ? "-" : fmtContain(o.timeToContainSeconds())
              + (o.timeToContainSeconds() == null ? "" : " s"))
          .append(" | ").append(o.crawlerProfileRecords()).append(" (").append(o.crawlerProfileRecordsBeforeContainment())
          .append(") | ").append(fmt(o.profileRecordsPerCrawlerAddress())).append(" | ")
          .append(o.crawlerCommentRecords()).append(" | ")
          .append(String.format(Locale.ROOT, "%.3f %%", 100 * o.shopperDenialShare())).append(" | ")
          .append(o.attackEndSeconds() == null ? "-" : o.arrivalDenied() + " of " + o.arrivalRequests()).append(" | ")
          .append(o.wrongfulBans().size()).append(" | ")
          .append(o.nginxReloadsPerMinute() == null ? "-" : String.format(Locale.ROOT, "%.0f", o.nginxReloadsPerMinute()))
          .append(" | ").append(o.ingressWrites()).append(" | ")
          .append(o.attackEndSeconds() == null ? "-" : o.backToBaselineSeconds() == null ? "no"
              : "+" + fmt(o.backToBaselineSeconds() - o.attackEndSeconds()) + " s after the attack")
          .append(" | ").append(o.nginxRestoredAfterDelete() == null ? "-" : o.nginxRestoredAfterDelete() ? "yes" : "NO")
          .append(" |\n");
    }
    return s.toString();
  }

  private static String fmtContain(Double seconds) {
    return seconds == null ? "NOT contained" : fmt(seconds);
  }

  private static String fmt(Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%.1f", v);
  }
}

package io.antiscraping.lab.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The results page (docs/lab/results.md) built from a lab report.json: provenance, families as ranges, every row. */
class ResultsPageTest {

  static final Path FIXTURE = Path.of("src/test/resources/report/report.json");
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void thePageStatesWhereItsFiguresComeFrom() throws Exception {
    String page = ResultsPage.markdown(JSON.readTree(FIXTURE.toFile()));

    assertThat(page).startsWith(ResultsPage.TITLE + "\n");
    assertThat(page).contains("| Commit | `0123456789abcdef0123456789abcdef01234567` |\n");
    assertThat(page).contains("| Date | 2026-03-01T12:00:00Z |\n");
    assertThat(page).contains("| Machine | 2 cores (Example CPU @ 2.00GHz); 8.0 GiB memory; "
        + "Debian GNU/Linux 12 (bookworm) (Linux 6.1.0 amd64); OpenJDK 64-Bit Server VM 17.0.12+7 |\n");
    assertThat(page).contains("| Kubernetes API | kube-apiserver v1.36.3, etcd v3.6.16 with kube-controller-manager |\n");
    assertThat(page).contains("| Ingress controller (ingress-nginx, modelled) | `replicas`: 2, `--sync-rate-limit`: 0.3, "
        + "`use-forwarded-headers`: true, `enable-real-ip`: false, `forwarded-for-header`: X-Forwarded-For, "
        + "`proxy-real-ip-cidr`: 127.0.0.0/8, `allow-snippet-annotations`: true, `annotations-risk-level`: Critical, "
        + "`limit-req-status-code`: 503, `limit-conn-status-code`: 503 |\n");
    assertThat(page).contains("| Operator | `--prometheus-url`: the scenario's own Prometheus, ");
    assertThat(page).contains("`--allow-snippet-annotations`: true, `--min-evaluation-interval`: 0s, ");
    assertThat(page).contains("`--never-ban`: none, `--leader-election`: false |\n");
    assertThat(page).contains("| Prometheus | scraping every 1s |\n");
    assertThat(page).contains("| Scenarios | 5, 3 at once (one with more than 1000 virtual clients alone) |\n");
  }

  @Test
  void aFamilysSeedsBecomeRangesAndEveryScenarioKeepsItsRow() throws Exception {
    String page = ResultsPage.markdown(JSON.readTree(FIXTURE.toFile()));

    assertThat(page).contains("""
        | scenario | runs | contained | profiles obtained | records per crawler address | shopper denials \
        (arrivals during the attack denied) | wrongful bans | reloads/min (peak) |
        |---|---:|---|---|---|---|---|---|
        | burst-crawler | 1 | in 9 s | 123 | 123.0 | 0.00 % (0 of 180) | 0 | 5 |
        | shopper-mix | 1 | - (no crawlers) | - | - | 0.00 % | 0 | 0 |
        | wide-pool | 2 | in 22-23 s | 1,386-1,543 | 1.2-1.3 | 0.00 % (0 of 235-251) | 0 | 4-5 |
        | cgnat-shoppers | 1 | NOT contained in 1 of 1 | 2,999 | 12.5 | 0.10 % (3 of 618) | 1 | 6 |
        """);
    // the per-scenario table is the console's summary, one row per run
    for (String name : List.of("burst-crawler", "shopper-mix", "wide-pool-s301", "wide-pool-s302",
        "cgnat-shoppers-s401")) {
      assertThat(page).contains("\n| " + name + " | ");
    }
    assertThat(page).contains("| wide-pool-s301 | 22.4 s | 1386 (1386) | 1.2 |");
    assertThat(page).contains("| cgnat-shoppers-s401 | NOT contained |");
  }

  @Test
  void aReportWithoutRunInformationSaysSo() throws Exception {
    JsonNode report = JSON.readTree(FIXTURE.toFile());
    ((com.fasterxml.jackson.databind.node.ObjectNode) report).remove("run");
    String page = ResultsPage.markdown(report);
    assertThat(page).contains("| Commit | not recorded |\n", "| Date | not recorded |\n",
        "| Machine | not recorded |\n", "| Operator | not recorded |\n", "| Scenarios | 5 |\n");
  }

  @Test
  void theLabWritesThePageNextToReportJsonFromWhatItWrote(@TempDir Path dir) throws Exception {
    JsonNode fixture = JSON.readTree(FIXTURE.toFile());
    RunInfo run = JSON.treeToValue(fixture.get("run"), RunInfo.class);
    List<ScenarioOutcome> outcomes = new ArrayList<>();
    for (JsonNode s : fixture.get("scenarios")) {
      outcomes.add(JSON.treeToValue(s, ScenarioOutcome.class));
    }

    ReportWriter.write(dir, fixture.get("environment").asText(), run, outcomes);

    JsonNode written = JSON.readTree(dir.resolve("report.json").toFile());
    assertThat(written.get("run")).isEqualTo(fixture.get("run"));
    assertThat(Files.readString(dir.resolve("results.md"))).isEqualTo(ResultsPage.markdown(fixture));
    Path elsewhere = dir.resolve("docs/lab/results.md");
    ResultsPage.write(dir.resolve("report.json"), elsewhere);
    assertThat(Files.readString(elsewhere)).isEqualTo(ResultsPage.markdown(fixture));
  }

  @Test
  void seedsNameTheirFamily() {
    assertThat(ResultsPage.family("wide-pool-s301")).isEqualTo("wide-pool");
    assertThat(ResultsPage.family("burst-crawler")).isEqualTo("burst-crawler");
    assertThat(ResultsPage.family("flash-sale-attack-s7")).isEqualTo("flash-sale-attack");
  }

  @Test
  void thisMachineAndCommitAreDescribed() {
    RunInfo.Machine m = RunInfo.thisMachine();
    assertThat(m.cores()).isPositive();
    assertThat(m.os()).isNotBlank();
    assertThat(m.java()).isNotBlank();
    assertThat(RunInfo.commit(Path.of(System.getProperty("java.io.tmpdir"))))
        .satisfiesAnyOf(c -> assertThat(c).startsWith("unknown"), c -> assertThat(c).matches("[0-9a-f]{40}.*"));
    assertThat(RunInfo.now()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
  }
}

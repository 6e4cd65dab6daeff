package io.antiscraping.operator.tools;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import io.antiscraping.api.schema.CrdSchema;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.antiscraping.api.v1alpha1.Durations;
import io.antiscraping.api.v1alpha1.Level;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.Signal;
import io.antiscraping.api.v1alpha1.Targets;
import io.antiscraping.api.v1alpha1.Waf;
import io.antiscraping.operator.validation.PolicyValidator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The checks {@code validate} runs on one document, in the order a policy meets them on its way to the data plane:
 * the API server (schema with strict field validation, then the CEL rules) and then the operator's own
 * {@link PolicyValidator}. With {@code strict}, also warnings on risky but valid choices.
 */
final class PolicyCheck {

  static final ObjectMapper MAPPER = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private static final Pattern BY = Pattern.compile("\\bby\\s*\\(");

  /** One message: {@code severity} error / warning / note; {@code stage} yaml, schema, cel, operator or strict. */
  record Finding(String severity, String stage, String source, int line, String path, String message) {

    boolean error() {
      return "error".equals(severity);
    }

    /** {@code file:line: severity: path: message}, as compilers and linters print it. */
    String human() {
      return source + (line > 0 ? ":" + line : "") + ": " + severity + ": " + (path == null || path.isEmpty() ? ""
          : path + ": ") + message;
    }
  }

  /** The verdict on one document. */
  record Result(YamlDocuments.Document document, boolean skipped, List<Finding> findings, ScrapingPolicySpec spec) {

    boolean valid() {
      return !skipped && findings.stream().noneMatch(Finding::error);
    }

    /** Whether the API server alone (schema and CEL) would accept it. */
    boolean apiServerAccepts() {
      return findings.stream().noneMatch(f -> f.error() && ("schema".equals(f.stage()) || "cel".equals(f.stage())));
    }
  }

  private PolicyCheck() {
  }

  static boolean isPolicy(JsonNode doc) {
    return CrdSchema.KIND.equals(doc.path("kind").asText())
        && doc.path("apiVersion").asText().startsWith("antiscraping.io/");
  }

  /**
   * @param strict             also warn on risky choices
   * @param snippetsAllowed    the operator runs with --allow-snippet-annotations (no warning on WAF Blocking)
   */
  static Result check(YamlDocuments.Document doc, boolean strict, boolean snippetsAllowed) {
    List<Finding> out = new ArrayList<>();
    if (!isPolicy(doc.node())) {
      String kind = doc.node().path("kind").asText("");
      out.add(new Finding("note", "yaml", doc.source(), doc.line(), "",
          "skipped: " + (kind.isEmpty() ? "a document without kind" : kind + " " + doc.name())
              + " is not a ScrapingPolicy"));
      return new Result(doc, true, out, null);
    }
    if (!CrdSchema.API_VERSION.equals(doc.node().path("apiVersion").asText())) {
      out.add(new Finding("error", "schema", doc.source(), doc.lineOf("apiVersion"), "apiVersion",
          "the server could not find the requested resource: " + doc.node().path("apiVersion").asText()
              + " is not served (only " + CrdSchema.API_VERSION + ")"));
      return new Result(doc, false, out, null);
    }
    ObjectNode[] defaulted = new ObjectNode[1];
    for (CrdSchema.Violation v : CrdSchema.shipped().validate(doc.node(), defaulted)) {
      out.add(new Finding("error", v.stage(), doc.source(), doc.lineOf(v.path()), v.path(), v.message()));
    }
    if (!out.isEmpty()) {
      return new Result(doc, false, out, null);
    }
    ScrapingPolicySpec spec;
    try {
      spec = MAPPER.convertValue(defaulted[0].path("spec"), ScrapingPolicySpec.class);
    } catch (IllegalArgumentException e) {
      out.add(new Finding("error", "schema", doc.source(), doc.lineOf("spec"), "spec",
          "cannot be read: " + e.getMessage()));
      return new Result(doc, false, out, null);
    }
    for (PolicyValidator.Violation v : PolicyValidator.validate(spec)) {
      out.add(new Finding("error", "operator", doc.source(), doc.lineOf(v.path()), v.path(), v.message()));
    }
    if (strict) {
      warnings(doc, spec, snippetsAllowed, out);
    }
    return new Result(doc, false, out, spec);
  }

  /** The risky choices {@code --strict} warns about. */
  private static void warnings(YamlDocuments.Document doc, ScrapingPolicySpec spec, boolean snippetsAllowed,
                               List<Finding> out) {
    List<Level> levels = spec.getLevels() == null ? List.of() : spec.getLevels();
    if (levels.size() > 1 && Durations.parse(spec.getCooldown()).map(Duration::isZero).orElse(false)) {
      warn(doc, out, "spec.cooldown", "is 0: a level is left at the first evaluation its conditions stop "
          + "holding, so the data plane flaps with the signal; give it a cooldown (default 10m)");
    }
    JsonNode node = doc.node().path("spec");
    if (spec.getOffenders() != null) {
      forBar(doc, out, node.path("offenders"), "spec.offenders", spec.getOffenders().getForDuration());
      if (spec.getOffenders().getPrefixes() != null) {
        forBar(doc, out, node.path("offenders").path("prefixes"), "spec.offenders.prefixes",
            spec.getOffenders().getPrefixes().getForDuration());
      }
      broad(doc, out, "spec.offenders", spec.getOffenders().getIpv4PrefixLength(),
          spec.getOffenders().getIpv6PrefixLength());
      if (spec.getOffenders().getPrefixes() != null) {
        broad(doc, out, "spec.offenders.prefixes", spec.getOffenders().getPrefixes().getIpv4PrefixLength(),
            spec.getOffenders().getPrefixes().getIpv6PrefixLength());
      }
    }
    for (int i = 0; i < levels.size(); i++) {
      Level l = levels.get(i);
      if (l.getOffenders() != null && l.getOffenders().getForDuration() != null
          && Durations.parse(l.getOffenders().getForDuration()).map(Duration::isZero).orElse(false)) {
        warn(doc, out, "spec.levels[" + i + "].offenders.for", "is 0: a single evaluation above the bar bans "
            + "the client, so one noisy sample (a page of a legitimate client's retries) is enough");
      }
    }
    Targets.Provider provider = spec.getTargets() == null || spec.getTargets().getProvider() == null
        ? Targets.Provider.INGRESS_NGINX : spec.getTargets().getProvider();
    if (provider == Targets.Provider.INGRESS_NGINX && !snippetsAllowed) {
      for (int i = 0; i < levels.size(); i++) {
        Waf w = levels.get(i).getWaf();
        if (w != null && (w.getMode() == Waf.Mode.BLOCKING || w.getParanoiaLevel() != null)) {
          warn(doc, out, "spec.levels[" + i + "].waf", (w.getMode() == Waf.Mode.BLOCKING ? "mode Blocking"
              : "paranoiaLevel") + " needs the modsecurity-snippet annotation on ingress-nginx, which the operator "
              + "writes only with --allow-snippet-annotations: without it the WAF stays in DetectionOnly and the "
              + "policy reports Enforced=False (NotEnforceable)");
        }
      }
    }
    List<Signal> signals = spec.getSignals() == null ? List.of() : spec.getSignals();
    for (int i = 0; i < signals.size(); i++) {
      Signal s = signals.get(i);
      if (s.getPerClient() != null && s.getQuery() != null && !BY.matcher(s.getQuery()).find()) {
        warn(doc, out, "spec.signals[" + i + "].query", "per-client signal without \"by (\": unless the metric "
            + "has exactly one series per " + s.getPerClient().getLabel() + ", aggregate it, e.g. sum by ("
            + s.getPerClient().getLabel() + ") (...)");
      }
    }
  }

  private static void forBar(YamlDocuments.Document doc, List<Finding> out, JsonNode written, String path,
                             String value) {
    if (!written.has("for")) {
      warn(doc, out, path, "has no `for`: the default (" + value + ") applies; say how long a client must stay "
          + "above the bar before it is banned");
    } else if (Durations.parse(value).map(Duration::isZero).orElse(false)) {
      warn(doc, out, path + ".for", "is 0: a single evaluation above the bar bans the client");
    }
  }

  private static void broad(YamlDocuments.Document doc, List<Finding> out, String path, Integer v4, Integer v6) {
    if (v4 != null && v4 < 24) {
      warn(doc, out, path + ".ipv4PrefixLength", "/" + v4 + " is broader than /24: one ban covers " + (1L << (32 - v4))
          + " addresses, shoppers behind the same carrier included");
    }
    if (v6 != null && v6 < 48) {
      warn(doc, out, path + ".ipv6PrefixLength", "/" + v6 + " is broader than /48 (a whole site): one ban covers "
          + "many customers' networks");
    }
  }

  private static void warn(YamlDocuments.Document doc, List<Finding> out, String path, String message) {
    out.add(new Finding("warning", "strict", doc.source(), doc.lineOf(path), path, message));
  }
}

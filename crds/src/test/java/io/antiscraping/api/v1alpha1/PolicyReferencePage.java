package io.antiscraping.api.v1alpha1;

import com.fasterxml.jackson.databind.JsonNode;
import io.antiscraping.api.schema.CrdSchema;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Generates {@code docs/reference/policy.md}, the policy reference, from the CRD: every field of spec and status with
 * its path, type, default, bounds (required, minimum/maximum, length, pattern, enum, items) and description, the
 * CEL validation rules with their messages, and the printer columns. {@link PolicyReferencePageTest} keeps the
 * committed page equal to what this makes of the committed CRD.
 */
public final class PolicyReferencePage {

  /** The page, from the crds module's directory (where Maven runs its tests). */
  public static final Path PAGE = Path.of("../docs/reference/policy.md");
  /** How to refresh the page; named in the page and in the staleness test's failure. */
  public static final String REFRESH =
      "./mvnw -pl crds test -Dtest=PolicyReferencePageTest -Dreference.update=true";

  private PolicyReferencePage() {}

  /** Writes the page of {@code crdFile} (default: the committed CRD) to {@code page} (default: {@link #PAGE}). */
  public static void main(String[] args) throws IOException {
    Path crd = args.length > 0 ? Path.of(args[0]) : CrdTest.COMMITTED;
    Path page = args.length > 1 ? Path.of(args[1]) : PAGE;
    Files.createDirectories(page.toAbsolutePath().getParent());
    Files.writeString(page, render(CrdSchema.read(crd)));
  }

  /** The page for a CustomResourceDefinition (its first version). */
  public static String render(JsonNode crd) {
    JsonNode version = crd.at("/spec/versions/0");
    JsonNode schema = version.at("/schema/openAPIV3Schema");
    String group = crd.at("/spec/group").asText();
    JsonNode names = crd.at("/spec/names");
    StringBuilder md = new StringBuilder("# Policy reference\n\n");
    md.append("<!-- Generated from crds/").append(CrdTest.FILE).append(" by PolicyReferencePage: do not edit. ")
        .append("Refresh with ").append(REFRESH).append(" -->\n\n");
    md.append("`apiVersion: ").append(group).append('/').append(version.path("name").asText()).append("`, `kind: ")
        .append(names.path("kind").asText()).append('`');
    List<String> shortNames = new ArrayList<>();
    names.path("shortNames").forEach(n -> shortNames.add("`" + n.asText() + "`"));
    if (!shortNames.isEmpty()) {
      md.append(" (short names ").append(String.join(", ", shortNames)).append(')');
    }
    md.append(", ").append(crd.at("/spec/scope").asText().toLowerCase(java.util.Locale.ROOT)).append(". ");
    md.append("Every field of [the CRD](../../crds/").append(CrdTest.FILE).append("), with its type, default, bounds ")
        .append("and description (the descriptions `kubectl explain scrapingpolicy.spec` shows), then the validation ")
        .append("rules the API server applies. What the fields do together (the decision semantics, what the operator ")
        .append("validates beyond the schema, the status conditions and Events) is in [How it works](../concepts.md).")
        .append("\n\n");
    md.append("Durations are strings such as `30s`, `2m`, `1h30m` or `500ms`. A field without a default is absent ")
        .append("unless set; `[]` in a path is any element of a list.\n\n");

    List<Rule> rules = new ArrayList<>();
    for (String root : List.of("spec", "status")) {
      md.append("## ").append(root).append("\n\n");
      md.append("| Field | Type | Default | Bounds | Description |\n|---|---|---|---|---|\n");
      JsonNode node = schema.path("properties").path(root);
      collectRules(node, root, rules);
      rows(node, root, md);
      md.append('\n');
    }

    md.append("## Validation rules\n\n");
    md.append("CEL rules of the schema (`x-kubernetes-validations`), evaluated by the API server on the object at ")
        .append("the path, `self`: a policy that breaks one is refused with the message.\n\n");
    md.append("| Path | Message | Rule |\n|---|---|---|\n");
    for (Rule r : rules) {
      md.append("| `").append(cell(r.path())).append("` | ").append(text(r.message())).append(" | `")
          .append(cell(r.rule())).append("` |\n");
    }
    md.append('\n');

    md.append("## Printer columns\n\n`kubectl get scrapingpolicies` shows, after the name:\n\n");
    md.append("| Column | Type | From |\n|---|---|---|\n");
    for (JsonNode c : version.path("additionalPrinterColumns")) {
      md.append("| ").append(cell(c.path("name").asText())).append(" | ").append(c.path("type").asText())
          .append(" | `").append(cell(c.path("jsonPath").asText())).append("` |\n");
    }
    return md.toString();
  }

  private record Rule(String path, String message, String rule) {}

  /** One row per property, depth first, in the CRD's order; lists of objects continue with {@code []}. */
  private static void rows(JsonNode object, String path, StringBuilder md) {
    Set<String> required = new HashSet<>();
    object.path("required").forEach(r -> required.add(r.asText()));
    object.path("properties").fields().forEachRemaining(e -> {
      String p = path + "." + e.getKey();
      JsonNode s = e.getValue();
      md.append("| `").append(cell(p)).append("` | ").append(type(s)).append(" | ")
          .append(s.has("default") ? "`" + cell(value(s.get("default"))) + "`" : "").append(" | ")
          .append(bounds(s, required.contains(e.getKey()))).append(" | ")
          .append(text(s.path("description").asText())).append(" |\n");
      if (s.has("items") && s.get("items").has("properties")) {
        rows(s.get("items"), p + "[]", md);
      } else if (s.has("properties")) {
        rows(s, p, md);
      }
    });
  }

  private static void collectRules(JsonNode node, String path, List<Rule> out) {
    node.path("x-kubernetes-validations").forEach(v ->
        out.add(new Rule(path, v.path("message").asText(), v.path("rule").asText())));
    node.path("properties").fields().forEachRemaining(e -> collectRules(e.getValue(), path + "." + e.getKey(), out));
    if (node.has("items")) {
      collectRules(node.get("items"), path + "[]", out);
    }
  }

  private static String type(JsonNode s) {
    String t = s.path("type").asText("any");
    if (t.equals("array")) {
      return "[]" + type(s.path("items"));
    }
    if (t.equals("object") && s.has("additionalProperties") && !s.has("properties")) {
      return "map[string]" + type(s.get("additionalProperties"));
    }
    return t;
  }

  private static String bounds(JsonNode s, boolean required) {
    List<String> b = new ArrayList<>();
    if (required) {
      b.add("required");
    }
    range(s, "minimum", "maximum", "", b);
    range(s, "minLength", "maxLength", "length ", b);
    range(s, "minItems", "maxItems", "items: ", b);
    if (s.has("pattern")) {
      b.add("pattern `" + cell(s.get("pattern").asText()) + "`");
    }
    if (s.has("enum")) {
      List<String> values = new ArrayList<>();
      s.get("enum").forEach(v -> values.add("`" + cell(v.asText()) + "`"));
      b.add("one of " + String.join(", ", values));
    }
    JsonNode items = s.path("items");
    if (items.isObject() && !items.has("properties")) {
      List<String> each = new ArrayList<>();
      range(items, "minLength", "maxLength", "length ", each);
      if (items.has("pattern")) {
        each.add("pattern `" + cell(items.get("pattern").asText()) + "`");
      }
      if (!each.isEmpty()) {
        b.add("each: " + String.join(", ", each));
      }
    }
    return String.join("; ", b);
  }

  private static void range(JsonNode s, String min, String max, String what, List<String> out) {
    if (s.has(min) && s.has(max)) {
      out.add(what + value(s.get(min)) + " to " + value(s.get(max)));
    } else if (s.has(min)) {
      out.add(what + "at least " + value(s.get(min)));
    } else if (s.has(max)) {
      out.add(what + "at most " + value(s.get(max)));
    }
  }

  /** A JSON value as written in a policy: numbers without a needless {@code .0}. */
  static String value(JsonNode v) {
    if (v.isNumber()) {
      return new BigDecimal(v.asText()).stripTrailingZeros().toPlainString();
    }
    return v.isTextual() ? v.asText() : v.toString();
  }

  /** Text for a table cell, Markdown kept: outside code spans {@code <}, {@code >} and {@code *} are escaped. */
  static String text(String description) {
    String[] parts = description.replace("\r", "").replace('\n', ' ').strip().split("`", -1);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        out.append('`');
      }
      out.append(i % 2 == 0 ? parts[i].replace("<", "&lt;").replace(">", "&gt;").replace("*", "\\*") : parts[i]);
    }
    return cell(out.toString());
  }

  /** A table cell's content: a pipe, in code or not, is written {@code \|} (GitHub tables). */
  static String cell(String s) {
    return s.replace("\n", " ").replace("|", "\\|");
  }
}

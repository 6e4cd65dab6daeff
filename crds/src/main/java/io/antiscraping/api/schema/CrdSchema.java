package io.antiscraping.api.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CustomResourceDefinition applied offline the way kube-apiserver applies it on create: defaults, the OpenAPI v3
 * schema with unknown fields rejected (kubectl's strict field validation), then the {@code x-kubernetes-validations}
 * CEL rules. The one schema check: the operator's {@code validate} command runs it on the shipped ScrapingPolicy CRD,
 * and the tests on it and on the upstream CRDs of the data planes the operator writes to.
 */
public final class CrdSchema {

  /** The generated ScrapingPolicy CRD inside this module's jar (what {@code kubectl apply -f crds/} installs). */
  public static final String SHIPPED_RESOURCE = "META-INF/fabric8/scrapingpolicies.antiscraping.io-v1.yml";
  public static final String API_VERSION = "antiscraping.io/v1alpha1";
  public static final String KIND = "ScrapingPolicy";

  public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static final CelCompiler CEL = CelCompilerFactory.standardCelCompilerBuilder()
      .addVar("self", SimpleType.DYN)
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

  /**
   * One violation: {@code stage} is {@code schema} or {@code cel}, {@code path} the field
   * ({@code spec.levels[1].name}, {@code <root>} for the object itself).
   */
  public record Violation(String stage, String path, String message) {
    @Override
    public String toString() {
      return path + ": " + message;
    }
  }

  private static CrdSchema shipped;

  private final String kind;
  private final ObjectNode openApiSchema;
  private final JsonSchema jsonSchema;
  private final boolean strictCel;

  private CrdSchema(JsonNode crd, String version, boolean strictCel) {
    this.kind = crd.at("/spec/names/kind").asText();
    this.strictCel = strictCel;
    JsonNode found = null;
    for (JsonNode v : crd.at("/spec/versions")) {
      if (version == null || version.equals(v.path("name").asText())) {
        found = v.at("/schema/openAPIV3Schema");
        break;
      }
    }
    if (!(found instanceof ObjectNode o)) {
      throw new IllegalArgumentException("CRD " + kind + " has no openAPIV3Schema for version "
          + (version == null ? "(first)" : version));
    }
    this.openApiSchema = o;
    ObjectNode strict = openApiSchema.deepCopy();
    forbidUnknownFields(strict);
    dropExtensions(strict);
    this.jsonSchema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(strict);
  }

  /** The ScrapingPolicy CRD shipped in this module's jar. */
  public static synchronized CrdSchema shipped() {
    if (shipped == null) {
      try (InputStream in = CrdSchema.class.getClassLoader().getResourceAsStream(SHIPPED_RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException("the ScrapingPolicy CRD is missing from the classpath: " + SHIPPED_RESOURCE);
        }
        shipped = new CrdSchema(YAML.readTree(in), null, true);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return shipped;
  }

  /** Our own CRD from a file: every CEL rule must compile. */
  public static CrdSchema strict(Path crdFile) {
    return new CrdSchema(read(crdFile), null, true);
  }

  /** An upstream CRD's version: CEL rules using functions outside standard CEL are skipped. */
  public static CrdSchema lenient(Path crdFile, String version) {
    return new CrdSchema(read(crdFile), version, false);
  }

  public String kind() {
    return kind;
  }

  public ObjectNode openApiSchema() {
    return openApiSchema;
  }

  /** Validates one object; empty when the API server would accept it. */
  public List<Violation> validate(JsonNode object) {
    return validate(object, null);
  }

  /**
   * Validates one object; empty when the API server would accept it. Returns the defaulted object (without
   * apiVersion, kind and metadata) through {@code defaulted} when it is not null: what a client reads back.
   */
  public List<Violation> validate(JsonNode object, ObjectNode[] defaulted) {
    List<Violation> out = new ArrayList<>();
    if (!kind.equals(object.path("kind").asText())) {
      out.add(new Violation("schema", "kind", "expected " + kind + " but was " + object.path("kind").asText()));
      return out;
    }
    JsonNode metadata = object.path("metadata");
    if (!metadata.isObject()) {
      out.add(new Violation("schema", "metadata", "Required value: metadata.name is required"));
    } else if (metadata.path("name").asText("").isEmpty() && metadata.path("generateName").asText("").isEmpty()) {
      out.add(new Violation("schema", "metadata.name", "Required value: name or generateName is required"));
    }
    ObjectNode copy = object.deepCopy();
    copy.remove(List.of("apiVersion", "kind", "metadata"));
    applyDefaults(openApiSchema, copy);
    if (defaulted != null) {
      defaulted[0] = copy;
    }
    List<ValidationMessage> messages = new ArrayList<>(jsonSchema.validate(copy));
    messages.sort(Comparator.comparing(m -> m.getInstanceLocation().toString()));
    for (ValidationMessage m : messages) {
      String path = path(m.getInstanceLocation().toString());
      if ("additionalProperties".equals(m.getType()) && m.getProperty() != null) {
        path = path.isEmpty() ? m.getProperty() : path + "." + m.getProperty();
        out.add(new Violation("schema", path, "unknown field \"" + m.getProperty() + "\""));
        continue;
      }
      if ("required".equals(m.getType()) && path.isEmpty() && "metadata".equals(m.getProperty())) {
        continue; // metadata is checked above: the schema sees the object without it
      }
      String error = m.getError() == null ? m.getMessage() : m.getError();
      out.add(new Violation("schema", path.isEmpty() ? "<root>" : path, error));
    }
    if (out.isEmpty()) {
      evaluateRules(openApiSchema, copy, "", out);
    }
    return out;
  }

  /** Every CEL rule that does not compile, with its path: empty for a CRD the API server accepts. */
  public List<String> compileErrors() {
    List<String> errors = new ArrayList<>();
    collectRules(openApiSchema, "", (path, rule) -> {
      try {
        CEL.compile(rule).getAst();
      } catch (CelValidationException e) {
        errors.add(path + ": " + rule + ": " + e.getMessage());
      }
    });
    return errors;
  }

  public static JsonNode read(Path file) {
    try {
      return YAML.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** All YAML documents of a file. */
  public static List<JsonNode> readAll(Path file) {
    try {
      List<JsonNode> docs = new ArrayList<>();
      var parser = YAML.getFactory().createParser(Files.readString(file));
      Iterator<JsonNode> it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode n = it.next();
        if (n != null && !n.isNull() && !n.isMissingNode()) {
          docs.add(n);
        }
      }
      return docs;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String path(String location) {
    String p = location.startsWith("$") ? location.substring(1) : location;
    return p.startsWith(".") ? p.substring(1) : p;
  }

  private static void forbidUnknownFields(JsonNode schema) {
    if (!(schema instanceof ObjectNode o)) {
      return;
    }
    if (o.has("properties") && !o.has("additionalProperties")
        && !o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
      o.set("additionalProperties", BooleanNode.FALSE);
    }
    o.path("properties").forEach(CrdSchema::forbidUnknownFields);
    forbidUnknownFields(o.path("items"));
    if (o.path("additionalProperties").isObject()) {
      forbidUnknownFields(o.path("additionalProperties"));
    }
    for (String combinator : List.of("allOf", "anyOf", "oneOf")) {
      o.path(combinator).forEach(CrdSchema::forbidUnknownFields);
    }
  }

  /** The x-kubernetes-* keywords mean nothing to a JSON Schema validator (the CEL rules are evaluated apart). */
  private static void dropExtensions(JsonNode schema) {
    if (schema instanceof ObjectNode o) {
      o.remove(o.properties().stream().map(Map.Entry::getKey).filter(k -> k.startsWith("x-kubernetes-")).toList());
      o.forEach(CrdSchema::dropExtensions);
    } else if (schema instanceof ArrayNode a) {
      a.forEach(CrdSchema::dropExtensions);
    }
  }

  private static void applyDefaults(JsonNode schema, JsonNode value) {
    if (value instanceof ObjectNode obj) {
      schema.path("properties").fields().forEachRemaining(e -> {
        JsonNode propSchema = e.getValue();
        if (!obj.has(e.getKey()) && propSchema.has("default")) {
          obj.set(e.getKey(), propSchema.get("default").deepCopy());
        }
        if (obj.has(e.getKey())) {
          applyDefaults(propSchema, obj.get(e.getKey()));
        }
      });
      if (schema.path("additionalProperties").isObject()) {
        obj.fields().forEachRemaining(e -> applyDefaults(schema.get("additionalProperties"), e.getValue()));
      }
    } else if (value instanceof ArrayNode arr && schema.has("items")) {
      arr.forEach(item -> applyDefaults(schema.get("items"), item));
    }
  }

  private void evaluateRules(JsonNode schema, JsonNode value, String path, List<Violation> errors) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return;
    }
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      String expr = rule.path("rule").asText();
      String where = path.isEmpty() ? "<root>" : path;
      try {
        CelAbstractSyntaxTree ast = CEL.compile(expr).getAst();
        Object result = RUNTIME.createProgram(ast).eval(Map.of("self", toCel(schema, value)));
        if (!Boolean.TRUE.equals(result)) {
          String message = rule.has("message") ? rule.get("message").asText() : "failed rule: " + expr;
          errors.add(new Violation("cel", where, "Invalid value: " + message));
        }
      } catch (CelValidationException e) {
        if (strictCel) {
          errors.add(new Violation("cel", where, "rule does not compile: " + expr + ": " + e.getMessage()));
        }
      } catch (CelEvaluationException e) {
        errors.add(new Violation("cel", where, "rule could not be evaluated: " + expr + ": " + e.getMessage()));
      }
    }
    String prefix = path.isEmpty() ? "" : path + ".";
    if (value.isObject()) {
      schema.path("properties").fields().forEachRemaining(e -> {
        if (value.has(e.getKey())) {
          evaluateRules(e.getValue(), value.get(e.getKey()), prefix + e.getKey(), errors);
        }
      });
      if (schema.path("additionalProperties").isObject()) {
        value.fields().forEachRemaining(e ->
            evaluateRules(schema.get("additionalProperties"), e.getValue(), prefix + e.getKey(), errors));
      }
    } else if (value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        evaluateRules(schema.get("items"), value.get(i), path + "[" + i + "]", errors);
      }
    }
  }

  /** JSON as CEL sees it, with the schema's number types, as the API server converts them. */
  private static Object toCel(JsonNode schema, JsonNode value) {
    if (value.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      value.fields().forEachRemaining(e -> {
        JsonNode s = schema.path("properties").path(e.getKey());
        if (s.isMissingNode()) {
          s = schema.path("additionalProperties");
        }
        map.put(e.getKey(), toCel(s, e.getValue()));
      });
      return map;
    }
    if (value.isArray()) {
      List<Object> list = new ArrayList<>();
      value.forEach(v -> list.add(toCel(schema.path("items"), v)));
      return list;
    }
    if (value.isNumber()) {
      return "number".equals(schema.path("type").asText()) || value.isFloatingPointNumber()
          ? (Object) value.asDouble() : (Object) value.asLong();
    }
    if (value.isBoolean()) {
      return value.asBoolean();
    }
    return value.asText();
  }

  private interface RuleVisitor {
    void visit(String path, String rule);
  }

  private static void collectRules(JsonNode schema, String path, RuleVisitor visitor) {
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      visitor.visit(path, rule.path("rule").asText());
    }
    schema.path("properties").fields().forEachRemaining(e ->
        collectRules(e.getValue(), path + "." + e.getKey(), visitor));
    if (schema.has("items")) {
      collectRules(schema.get("items"), path + "[]", visitor);
    }
    if (schema.path("additionalProperties").isObject()) {
      collectRules(schema.get("additionalProperties"), path + ".*", visitor);
    }
  }
}

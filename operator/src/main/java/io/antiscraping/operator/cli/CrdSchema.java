package io.antiscraping.operator.cli;

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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ScrapingPolicy CRD as shipped (the generated YAML in the crds jar, the one {@code kubectl apply -f crds/}
 * installs), applied offline the way kube-apiserver applies it on create: defaults, the OpenAPI v3 schema with
 * unknown fields rejected (kubectl's strict field validation), then the {@code x-kubernetes-validations} CEL rules.
 */
final class CrdSchema {

  static final String RESOURCE = "META-INF/fabric8/scrapingpolicies.antiscraping.io-v1.yml";
  static final String API_VERSION = "antiscraping.io/v1alpha1";
  static final String KIND = "ScrapingPolicy";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final CelCompiler CEL = CelCompilerFactory.standardCelCompilerBuilder()
      .addVar("self", SimpleType.DYN)
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

  /** One schema or CEL violation: {@code path} is the field ({@code spec.levels[1].name}). */
  record Violation(String stage, String path, String message) {
  }

  private static CrdSchema shipped;

  private final ObjectNode openApiSchema;
  private final JsonSchema jsonSchema;

  private CrdSchema(JsonNode crd) {
    JsonNode found = crd.at("/spec/versions/0/schema/openAPIV3Schema");
    if (!(found instanceof ObjectNode o)) {
      throw new IllegalStateException("the CRD has no openAPIV3Schema");
    }
    this.openApiSchema = o;
    ObjectNode strict = openApiSchema.deepCopy();
    forbidUnknownFields(strict);
    dropExtensions(strict);
    this.jsonSchema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(strict);
  }

  /** The CRD shipped with the operator. */
  static synchronized CrdSchema shipped() {
    if (shipped == null) {
      try (InputStream in = CrdSchema.class.getClassLoader().getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException("the ScrapingPolicy CRD is missing from the classpath: " + RESOURCE);
        }
        shipped = new CrdSchema(YAML.readTree(in));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return shipped;
  }

  /**
   * Validates a ScrapingPolicy document; empty when the API server would accept it. Returns the defaulted object
   * through {@code defaulted} (what the operator reads back from the API server).
   */
  List<Violation> validate(JsonNode object, ObjectNode[] defaulted) {
    List<Violation> out = new ArrayList<>();
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
      String error = m.getError() == null ? m.getMessage() : m.getError();
      out.add(new Violation("schema", path.isEmpty() ? "<root>" : path, error));
    }
    if (out.isEmpty()) {
      evaluateRules(openApiSchema, copy, "", out);
    }
    return out;
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

  private static void evaluateRules(JsonNode schema, JsonNode value, String path, List<Violation> errors) {
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
        errors.add(new Violation("cel", where, "rule does not compile: " + expr + ": " + e.getMessage()));
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
}

package io.antiscraping.api.testing;

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
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Validates objects against a CustomResourceDefinition the way a kube-apiserver would: defaulting, the OpenAPI v3
 * schema with unknown fields rejected (kubectl's strict field validation), and the {@code x-kubernetes-validations}
 * CEL rules. The test API server does none of this, so the tests do it here.
 */
public final class CrdSchemaValidator {

  public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static final CelCompiler CEL = CelCompilerFactory.standardCelCompilerBuilder()
      .addVar("self", SimpleType.DYN)
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

  private final String kind;
  private final ObjectNode openApiSchema;
  private final JsonSchema jsonSchema;
  private final boolean strictCel;

  private CrdSchemaValidator(JsonNode crd, String version, boolean strictCel) {
    this.kind = crd.at("/spec/names/kind").asText();
    this.strictCel = strictCel;
    JsonNode found = null;
    for (JsonNode v : crd.at("/spec/versions")) {
      if (version == null || version.equals(v.path("name").asText())) {
        found = v.at("/schema/openAPIV3Schema");
        break;
      }
    }
    if (found == null || found.isMissingNode()) {
      throw new IllegalArgumentException("CRD " + kind + " has no schema for version " + version);
    }
    this.openApiSchema = (ObjectNode) found;
    ObjectNode strict = openApiSchema.deepCopy();
    forbidUnknownFields(strict, true);
    this.jsonSchema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(strict);
  }

  /** A validator for our own CRD: every CEL rule must compile. */
  public static CrdSchemaValidator strict(Path crdFile) {
    return new CrdSchemaValidator(read(crdFile), null, true);
  }

  /** A validator for an upstream CRD: CEL rules using functions outside standard CEL are skipped. */
  public static CrdSchemaValidator lenient(Path crdFile, String version) {
    return new CrdSchemaValidator(read(crdFile), version, false);
  }

  public String kind() {
    return kind;
  }

  public ObjectNode openApiSchema() {
    return openApiSchema;
  }

  /** Validates one object; returns the errors, each prefixed with the field path; empty when valid. */
  public List<String> validate(JsonNode object) {
    List<String> errors = new ArrayList<>();
    if (!kind.equals(object.path("kind").asText())) {
      errors.add("kind: expected " + kind + " but was " + object.path("kind").asText());
      return errors;
    }
    ObjectNode copy = object.deepCopy();
    copy.remove(List.of("apiVersion", "kind", "metadata"));
    applyDefaults(openApiSchema, copy);
    Set<ValidationMessage> messages = jsonSchema.validate(copy);
    for (ValidationMessage m : messages) {
      errors.add(m.getMessage());
    }
    if (errors.isEmpty()) {
      evaluateRules(openApiSchema, copy, "", errors);
    }
    return errors;
  }

  /** Every CEL rule in the schema, with its JSON path, for checks that rules compile. */
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

  private static void forbidUnknownFields(JsonNode schema, boolean root) {
    if (!(schema instanceof ObjectNode o)) {
      return;
    }
    if (!root && o.has("properties") && !o.has("additionalProperties")
        && !o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
      o.set("additionalProperties", BooleanNode.FALSE);
    }
    o.path("properties").forEach(p -> forbidUnknownFields(p, false));
    forbidUnknownFields(o.path("items"), false);
    if (o.path("additionalProperties").isObject()) {
      forbidUnknownFields(o.path("additionalProperties"), false);
    }
    for (String combinator : List.of("allOf", "anyOf", "oneOf")) {
      o.path(combinator).forEach(p -> forbidUnknownFields(p, false));
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

  private void evaluateRules(JsonNode schema, JsonNode value, String path, List<String> errors) {
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
          errors.add(where + ": Invalid value: " + message);
        }
      } catch (CelValidationException e) {
        if (strictCel) {
          errors.add(where + ": rule does not compile: " + expr + ": " + e.getMessage());
        }
      } catch (CelEvaluationException e) {
        errors.add(where + ": rule could not be evaluated: " + expr + ": " + e.getMessage());
      }
    }
    if (value.isObject()) {
      schema.path("properties").fields().forEachRemaining(e -> {
        if (value.has(e.getKey())) {
          evaluateRules(e.getValue(), value.get(e.getKey()), path + "." + e.getKey(), errors);
        }
      });
      if (schema.path("additionalProperties").isObject()) {
        value.fields().forEachRemaining(e ->
            evaluateRules(schema.get("additionalProperties"), e.getValue(), path + "." + e.getKey(), errors));
      }
    } else if (value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        evaluateRules(schema.get("items"), value.get(i), path + "[" + i + "]", errors);
      }
    }
  }

  /** Converts JSON to the values CEL sees, using the schema for number types as the API server does. */
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

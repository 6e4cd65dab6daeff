package io.antiscraping.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every policy users may copy (examples/, examples/lab/) passes the operator's own validator, not only the schema. */
class ExamplePoliciesTest {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

  static Stream<Path> policies() throws IOException {
    try (Stream<Path> files = Files.walk(Path.of("../examples"))) {
      List<Path> out = files.filter(f -> f.toString().endsWith(".yaml")).filter(ExamplePoliciesTest::isPolicy)
          .sorted().toList();
      assertThat(out).as("example policies").isNotEmpty();
      return out.stream();
    }
  }

  private static boolean isPolicy(Path f) {
    try {
      return Files.readString(f).contains("kind: ScrapingPolicy");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @ParameterizedTest
  @MethodSource("policies")
  void everyExamplePolicyIsValid(Path file) throws IOException {
    ScrapingPolicy policy = YAML.readValue(file.toFile(), ScrapingPolicy.class);
    assertThat(PolicyValidator.validate(policy.getSpec())).as(file.toString()).isEmpty();
  }
}

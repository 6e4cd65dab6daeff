package io.antiscraping.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.api.schema.CrdSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * valid-*.yaml must pass the generated schema and CEL rules; invalid-*.yaml must fail with the message in their
 * first line ({@code # expect: ...}). The examples users copy must pass too.
 */
class FixturesTest {

  static final Path FIXTURES = Path.of("src/test/resources/fixtures");
  static final Path EXAMPLES = Path.of("../examples");
  static final CrdSchema VALIDATOR = CrdSchema.strict(CrdTest.GENERATED);

  static Stream<Path> valid() throws IOException {
    return files(FIXTURES, "valid-");
  }

  static Stream<Path> invalid() throws IOException {
    return files(FIXTURES, "invalid-");
  }

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> s = Files.list(EXAMPLES)) {
      return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream()
          .filter(p -> CrdSchema.readAll(p).stream()
              .anyMatch(d -> "ScrapingPolicy".equals(d.path("kind").asText())));
    }
  }

  @ParameterizedTest
  @MethodSource("valid")
  void validFixturePasses(Path file) {
    assertThat(VALIDATOR.validate(CrdSchema.read(file))).as(file.toString()).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void invalidFixtureFailsWithItsMessage(Path file) throws IOException {
    String first = Files.readAllLines(file).get(0);
    assertThat(first).as("%s must start with '# expect: <message>'", file).startsWith("# expect: ");
    String expected = first.substring("# expect: ".length()).trim();
    List<String> errors = VALIDATOR.validate(CrdSchema.read(file)).stream().map(Object::toString).toList();
    assertThat(errors).as(file.toString()).anySatisfy(e -> assertThat(e).contains(expected));
  }

  @ParameterizedTest
  @MethodSource("examples")
  void examplePoliciesPass(Path file) {
    CrdSchema.readAll(file).stream()
        .filter(d -> "ScrapingPolicy".equals(d.path("kind").asText()))
        .forEach(d -> assertThat(VALIDATOR.validate(d)).as(file.toString()).isEmpty());
  }

  @Test
  void thereAreFixturesAndExamples() throws IOException {
    assertThat(valid()).hasSizeGreaterThanOrEqualTo(3);
    assertThat(invalid()).hasSizeGreaterThanOrEqualTo(10);
    assertThat(examples()).isNotEmpty();
  }

  private static Stream<Path> files(Path dir, String prefix) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList().stream();
    }
  }
}

package io.antiscraping.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Security finding 1: the one sanitiser for foreign text on its way to a status, an Event or a log. */
class SanitizerTest {

  @Test
  void controlAndFormatCharactersNeverPassAndTheLengthIsCapped() {
    String key = "invalid header value: \"Bearer -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq\r\n-----END\u0000\"";
    assertThat(Sanitizer.sanitize(key)).doesNotContainPattern("\\p{Cntrl}")
        .isEqualTo("invalid header value: \"Bearer -----BEGIN PRIVATE KEY----- MIIEvQIBADANBgkq -----END \"");
    assertThat(Sanitizer.sanitize("evil\u202Etxt.exe\u200B")).as("bidi overrides and zero-width characters")
        .isEqualTo("eviltxt.exe");
    assertThat(Sanitizer.sanitize("  a \t\t b  ")).isEqualTo("a b");
    assertThat(Sanitizer.sanitize("x".repeat(5000))).hasSize(Sanitizer.MAX).endsWith("...");
    assertThat(Sanitizer.sanitize("x".repeat(Sanitizer.MAX))).hasSize(Sanitizer.MAX).doesNotEndWith("...");
    assertThat(Sanitizer.sanitize(null)).isEmpty();
    assertThat(Sanitizer.sanitize("\uD83D\uDE00".repeat(10), 7)).isEqualTo("\uD83D\uDE00\uD83D\uDE00...");
  }

  @Test
  void anExceptionIsItsTypeAndItsSanitisedMessage() {
    assertThat(Sanitizer.describe(new StackOverflowError())).isEqualTo("StackOverflowError");
    assertThat(Sanitizer.describe(new IllegalStateException("line one\nline two"))).isEqualTo(
        "IllegalStateException: line one line two");
    assertThat(Sanitizer.describe(null)).isEqualTo("unknown error");
  }
}

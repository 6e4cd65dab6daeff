package io.antiscraping.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Security finding 1: the one sanitiser for foreign text on its way to a status, an Event or a log. */
class MessagesTest {

  @Test
  void controlAndFormatCharactersNeverPassAndTheLengthIsCapped() {
    String key = "invalid header value: \"Bearer -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq\r\n-----END\u0000\"";
    assertThat(Messages.sanitize(key)).doesNotContainPattern("\\p{Cntrl}")
        .isEqualTo("invalid header value: \"Bearer -----BEGIN PRIVATE KEY----- MIIEvQIBADANBgkq -----END \"");
    assertThat(Messages.sanitize("evil\u202Etxt.exe\u200B")).as("bidi overrides and zero-width characters")
        .isEqualTo("eviltxt.exe");
    assertThat(Messages.sanitize("  a \t\t b  ")).isEqualTo("a b");
    assertThat(Messages.sanitize("x".repeat(5000))).hasSize(Messages.MAX).endsWith("...");
    assertThat(Messages.sanitize("x".repeat(Messages.MAX))).hasSize(Messages.MAX).doesNotEndWith("...");
    assertThat(Messages.sanitize(null)).isEmpty();
    assertThat(Messages.sanitize("\uD83D\uDE00".repeat(10), 7)).isEqualTo("\uD83D\uDE00\uD83D\uDE00...");
  }

  @Test
  void anExceptionIsItsTypeAndItsSanitisedMessage() {
    assertThat(Messages.describe(new StackOverflowError())).isEqualTo("StackOverflowError");
    assertThat(Messages.describe(new IllegalStateException("line one\nline two"))).isEqualTo(
        "IllegalStateException: line one line two");
    assertThat(Messages.describe(null)).isEqualTo("unknown error");
  }
}

package io.antiscraping.operator.decision;

/**
 * Whether the signals the decisions depend on could be evaluated (the {@code MetricsAvailable} condition).
 *
 * @param available true when every signal used by a level or by the offenders rule was evaluated
 * @param reason    CamelCase: {@value #EVALUATED} or {@value #UNAVAILABLE}
 * @param message   which signal failed and why, and what the engine does about it
 */
public record MetricsHealth(boolean available, String reason, String message) {

  public static final String EVALUATED = "SignalsEvaluated";
  public static final String UNAVAILABLE = "SignalsUnavailable";
}

package io.antiscraping.operator.decision;

import java.util.Objects;

/**
 * Something a user should hear about, as a Kubernetes Event.
 *
 * @param warning true for type Warning, false for Normal
 * @param reason  CamelCase reason: LevelRaised, LevelLowered, ClientsBanned, PrefixesBanned, BansExpired, BansRevoked,
 *                BanCapReached, MetricsUnavailable, MetricsRecovered
 * @param message what happened, with the signal values that caused it (at most {@link #MAX_MESSAGE} characters)
 */
public record DecisionEvent(boolean warning, String reason, String message) {

  /** Kubernetes truncates event messages at 1 KiB; stay below. */
  public static final int MAX_MESSAGE = 1000;

  public static final String LEVEL_RAISED = "LevelRaised";
  public static final String LEVEL_LOWERED = "LevelLowered";
  public static final String CLIENTS_BANNED = "ClientsBanned";
  public static final String PREFIXES_BANNED = "PrefixesBanned";
  public static final String BANS_EXPIRED = "BansExpired";
  public static final String BANS_REVOKED = "BansRevoked";
  public static final String BAN_CAP_REACHED = "BanCapReached";
  public static final String METRICS_UNAVAILABLE = "MetricsUnavailable";
  public static final String METRICS_RECOVERED = "MetricsRecovered";

  public DecisionEvent {
    Objects.requireNonNull(reason, "reason");
    message = Sanitizer.truncate(message == null ? "" : message, MAX_MESSAGE);
  }
}

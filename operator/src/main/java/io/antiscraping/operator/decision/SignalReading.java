package io.antiscraping.operator.decision;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/** What one evaluation of one signal produced. Failures are {@link Unavailable}, never a number. */
public sealed interface SignalReading permits SignalReading.Scalar, SignalReading.PerClient, SignalReading.Unavailable {

  /** One number (a scalar signal). NaN and infinities are treated as unavailable by the engine. */
  record Scalar(double value) implements SignalReading {
  }

  /**
   * One number per client key (the value of the signal's {@code perClient.label}). Keys are untrusted label values:
   * the engine ignores and counts those that are not an IP address or CIDR.
   *
   * @param values    client key to value
   * @param unlabeled series that had no value for the client label (counted as invalid clients)
   * @param leftOut   series the answer held beyond what is kept (the weakest values): the strongest clients are
   *                  all here, so bans stay right; the status says how many were left out
   */
  record PerClient(Map<String, Double> values, int unlabeled, int leftOut) implements SignalReading {
    public PerClient {
      Objects.requireNonNull(values, "values");
      values = Collections.unmodifiableMap(new HashMap<>(values));
      if (unlabeled < 0 || leftOut < 0) {
        throw new IllegalArgumentException("unlabeled or leftOut < 0");
      }
    }

    public PerClient(Map<String, Double> values, int unlabeled) {
      this(values, unlabeled, 0);
    }

    public PerClient(Map<String, Double> values) {
      this(values, 0, 0);
    }
  }

  /** The signal could not be evaluated; {@code reason} says why in words a user can act on. */
  record Unavailable(String reason) implements SignalReading {
    public Unavailable {
      reason = reason == null || reason.isBlank() ? "unavailable" : reason;
    }
  }
}

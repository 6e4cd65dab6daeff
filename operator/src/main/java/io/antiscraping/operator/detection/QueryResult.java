package io.antiscraping.operator.detection;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The outcome of one instant query. A failure is never a number. */
public sealed interface QueryResult permits QueryResult.Scalar, QueryResult.Vector, QueryResult.Failure {

  /** A PromQL scalar with a finite value (NaN and infinities are {@link Failure}s). */
  record Scalar(double value) implements QueryResult {
  }

  /**
   * A non-empty instant vector; sample values may be NaN or infinite, the caller decides.
   *
   * @param dropped series of the answer left out because it held more than the client keeps (the weakest)
   */
  record Vector(List<Series> series, int dropped) implements QueryResult {
    public Vector {
      series = List.copyOf(series);
    }

    public Vector(List<Series> series) {
      this(series, 0);
    }
  }

  /** One element of an instant vector. */
  record Series(Map<String, String> labels, double value) {
    public Series {
      labels = Map.copyOf(labels);
    }
  }

  /** Why there is no value. {@code message} is written for a user reading the policy status. */
  record Failure(Kind kind, String message) implements QueryResult {
    public Failure {
      Objects.requireNonNull(kind, "kind");
      message = message == null || message.isBlank() ? kind.outcome() : message;
    }
  }

  /** Failure kinds; {@link #outcome()} is the label the operator's metrics use. */
  enum Kind {
    /** The query returned no series. */
    EMPTY("empty"),
    /** The value is NaN. */
    NAN("nan"),
    /** The value is +Inf or -Inf. */
    INF("inf"),
    /** A range vector (matrix) or a string instead of an instant vector or scalar. */
    WRONG_TYPE("wrong_type"),
    /** The body is not JSON (a proxy's error page, say). */
    NOT_JSON("not_json"),
    /** JSON, but not a Prometheus API answer. */
    BAD_RESPONSE("bad_response"),
    /** HTTP 3xx/4xx/5xx, or {@code "status":"error"}. */
    HTTP_ERROR("http_error"),
    /** No complete answer within the timeout. */
    TIMEOUT("timeout"),
    /** Connection refused, host unknown, connect timeout, network error. */
    UNREACHABLE("unreachable"),
    /** TLS handshake failed or the CA bundle is invalid. */
    TLS_ERROR("tls_error"),
    /** The answer exceeded the size limit. */
    TOO_LARGE("too_large"),
    /** The request cannot be sent as configured (e.g. a bearer token an HTTP header cannot carry). */
    BAD_CREDENTIALS("bad_credentials");

    private final String outcome;

    Kind(String outcome) {
      this.outcome = outcome;
    }

    public String outcome() {
      return outcome;
    }
  }

  /** {@code success} or the failure kind's outcome label. */
  default String outcome() {
    return this instanceof Failure f ? f.kind().outcome() : "success";
  }
}

package io.antiscraping.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import lombok.AllArgsConstructor;
import lombok.Builder;
import lombok.Data;
import lombok.NoArgsConstructor;

@Data
@NoArgsConstructor
@AllArgsConstructor
@Builder(toBuilder = true)
public class PrometheusSource {

  public static final String DEFAULT_TIMEOUT = "5s";

  @Pattern("^https?://[^\\s]+$")
  @Size(max = 2048)
  @JsonPropertyDescription("Base URL of the Prometheus HTTP API, e.g. http://prometheus.monitoring:9090. "
      + "When omitted, the operator's --prometheus-url is used.")
  private String url;

  @JsonPropertyDescription("Secret key in the policy's namespace holding a bearer token sent with every query. The "
      + "Secret must be labelled antiscraping.io/prometheus-credentials=\"true\"; the token is sent only to the "
      + "servers its annotation antiscraping.io/prometheus-url names, or, without that annotation, to a Prometheus "
      + "the admin named (--prometheus-url, --prometheus-allowed-url).")
  private SecretKeyRef bearerTokenSecret;

  @JsonPropertyDescription("Secret key in the policy's namespace holding a PEM CA bundle to verify the server's certificate.")
  private SecretKeyRef caSecret;

  @Default(DEFAULT_TIMEOUT)
  @Pattern(Durations.PATTERN)
  @Size(max = Durations.MAX_LENGTH)
  @JsonPropertyDescription("Timeout of each query.")
  @Builder.Default
  private String timeout = DEFAULT_TIMEOUT;
}

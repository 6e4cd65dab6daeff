package io.antiscraping.operator.reconciler;

import io.antiscraping.operator.detection.PrometheusAccess;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads Prometheus credentials from Secrets with a GET (no cluster-wide Secret watch), cached for a short while so
 * that a policy evaluated every few seconds does not read its Secret every time. Only Secrets labelled
 * {@value PrometheusAccess#CREDENTIALS_LABEL}{@code : "true"} are used: any other Secret of the namespace (a TLS key,
 * a database password) cannot be sent to a Prometheus by a policy author. A Secret's
 * {@value PrometheusAccess#DESTINATION_ANNOTATION} annotation, where its token may go, comes with its value.
 */
public final class KubernetesSecrets implements LiveEvaluator.SecretSource {

  private static final Duration TTL = Duration.ofSeconds(30);

  private final KubernetesClient client;
  private final Clock clock;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  private record Cached(Lookup value, Instant at) {
  }

  public KubernetesSecrets(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  @Override
  public Lookup read(String namespace, String name, String key) {
    String k = namespace + "/" + name + "/" + key;
    Instant now = clock.instant();
    Cached c = cache.get(k);
    if (c != null && c.at().plus(TTL).isAfter(now)) {
      return c.value();
    }
    Lookup value;
    try {
      Secret s = client.secrets().inNamespace(namespace).withName(name).get();
      if (s == null) {
        value = Lookup.missing("Secret " + namespace + "/" + name + " does not exist or cannot be read");
      } else if (!"true".equals(Optional.ofNullable(s.getMetadata().getLabels()).map(l -> l.get(
          PrometheusAccess.CREDENTIALS_LABEL)).orElse(null))) {
        value = Lookup.missing("Secret " + namespace + "/" + name + " is not labelled "
            + PrometheusAccess.CREDENTIALS_LABEL + "=\"true\" (only Secrets that opt in can be used as Prometheus "
            + "credentials)");
      } else {
        value = Optional.ofNullable(s.getData()).map(d -> d.get(key))
            .map(b64 -> new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8).trim())
            .or(() -> Optional.ofNullable(s.getStringData()).map(d -> d.get(key)))
            .map(v -> Lookup.found(v, Optional.ofNullable(s.getMetadata().getAnnotations())
                .map(a -> a.get(PrometheusAccess.DESTINATION_ANNOTATION)).orElse(null)))
            .orElse(Lookup.missing("key " + key + " of Secret " + namespace + "/" + name + " does not exist"));
      }
    } catch (KubernetesClientException | IllegalArgumentException e) {
      value = Lookup.missing("Secret " + namespace + "/" + name + " does not exist or cannot be read");
    }
    cache.put(k, new Cached(value, now));
    return value;
  }
}

package io.antiscraping.operator.reconciler;

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
 * that a policy evaluated every few seconds does not read its Secret every time.
 */
public final class KubernetesSecrets implements LiveEvaluator.SecretSource {

  private static final Duration TTL = Duration.ofSeconds(30);

  private final KubernetesClient client;
  private final Clock clock;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  private record Cached(Optional<String> value, Instant at) {
  }

  public KubernetesSecrets(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  @Override
  public Optional<String> read(String namespace, String name, String key) {
    String k = namespace + "/" + name + "/" + key;
    Instant now = clock.instant();
    Cached c = cache.get(k);
    if (c != null && c.at().plus(TTL).isAfter(now)) {
      return c.value();
    }
    Optional<String> value;
    try {
      Secret s = client.secrets().inNamespace(namespace).withName(name).get();
      value = Optional.ofNullable(s).map(Secret::getData).map(d -> d.get(key))
          .map(b64 -> new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8).trim())
          .or(() -> Optional.ofNullable(s).map(Secret::getStringData).map(d -> d.get(key)));
    } catch (KubernetesClientException | IllegalArgumentException e) {
      value = Optional.empty();
    }
    cache.put(k, new Cached(value, now));
    return value;
  }
}

package io.antiscraping.operator.enforcement;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OwnedObjectWriterTest {

  static final Set<String> NEVER = Set.of("nginx.ingress.kubernetes.io/whitelist-source-range");

  static KubernetesClientException conflict(String... fields) {
    StatusBuilder status = new StatusBuilder().withCode(409).withReason("Conflict");
    var details = status.withNewDetails();
    for (String field : fields) {
      details = details.addNewCause().withField(field).withMessage("conflict with \"security-team\"").endCause();
    }
    return new KubernetesClientException(details.endDetails().build());
  }

  /**
   * Security finding S1: a forced apply is only repeated after a 409 that names none of the keys never forced, so
   * that a key another manager took after the cache was read is still a conflict, never taken over.
   */
  @Test
  void aConflictOnAKeyNeverForcedOrWithoutFieldsIsNotForced() {
    assertThat(OwnedObjectWriter.conflictTouches(
        conflict(".metadata.annotations.nginx.ingress.kubernetes.io/limit-rps"), NEVER)).isFalse();
    assertThat(OwnedObjectWriter.conflictTouches(conflict(".metadata.annotations.nginx.ingress.kubernetes.io/limit-rps",
        ".metadata.annotations.nginx.ingress.kubernetes.io/whitelist-source-range"), NEVER)).isTrue();
    assertThat(OwnedObjectWriter.conflictTouches(conflict(), NEVER)).as("no field named: not safe to force").isTrue();
    assertThat(OwnedObjectWriter.conflictTouches(conflict(".spec.rules"), NEVER)).isTrue();
  }
}

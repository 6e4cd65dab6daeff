package io.antiscraping.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.operator.apiserver.ApiServer;
import io.antiscraping.operator.detection.PrometheusAccess;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reading Prometheus credentials from real Secrets, with the operator's own RBAC. */
class KubernetesSecretsIT {

  ApiServer api;
  String ns;

  @BeforeEach
  void start() {
    api = ApiServer.start("KubernetesSecretsIT");
    ns = api.namespace("shop");
  }

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
  }

  /**
   * Issue S (labelled Secret sent anywhere): where a token may go is said by whoever labels the Secret, in its
   * annotation; it comes with the value, and a Secret without it says nothing (the admin's list then decides).
   */
  @Test
  void aLabelledSecretsDestinationAnnotationComesWithItsValue() {
    api.userClient().resource(new SecretBuilder().withNewMetadata().withName("bound").withNamespace(ns)
        .addToLabels(PrometheusAccess.CREDENTIALS_LABEL, "true")
        .addToAnnotations(PrometheusAccess.DESTINATION_ANNOTATION, "https://thanos.observability.svc:10902/shop")
        .endMetadata().addToStringData("token", "s3cr3t").build()).create();
    api.userClient().resource(new SecretBuilder().withNewMetadata().withName("unbound").withNamespace(ns)
        .addToLabels(PrometheusAccess.CREDENTIALS_LABEL, "true").endMetadata().addToStringData("token", "t0ken")
        .build()).create();
    KubernetesSecrets secrets = new KubernetesSecrets(api.operatorClient(), Clock.systemUTC());

    LiveEvaluator.SecretSource.Lookup bound = secrets.read(ns, "bound", "token");
    assertThat(bound.value()).contains("s3cr3t");
    assertThat(bound.sendTo()).contains("https://thanos.observability.svc:10902/shop");
    LiveEvaluator.SecretSource.Lookup unbound = secrets.read(ns, "unbound", "token");
    assertThat(unbound.value()).contains("t0ken");
    assertThat(unbound.sendTo()).isEqualTo(Optional.empty());
  }
}

package io.antiscraping.lab;

import io.antiscraping.operator.runtime.OperatorRuntime;
import io.antiscraping.operator.runtime.OperatorSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.util.Set;

/** The operator under test, as one component of the lab: started in-process exactly as {@code run} wires it. */
public interface LabOperator extends AutoCloseable {

  @Override
  void close();

  /** Starts the operator for one namespace with the given default Prometheus. */
  interface Factory {
    LabOperator start(KubernetesClient client, String namespace, URI prometheus);
  }

  /**
   * The real operator ({@link OperatorRuntime}) with snippet annotations allowed, as behind an ingress-nginx that
   * allows them (the lab's controller does).
   */
  static Factory inProcess() {
    return (client, namespace, prometheus) -> {
      OperatorRuntime runtime = OperatorRuntime.start(client, settings(namespace, prometheus));
      return runtime::close;
    };
  }

  /** The settings {@link #inProcess()} starts the operator with (also recorded in the lab report). */
  static OperatorSettings settings(String namespace, URI prometheus) {
    return OperatorSettings.defaults().withNamespaces(Set.of(namespace)).withDefaultPrometheusUrl(prometheus)
        .withAllowSnippetAnnotations(true);
  }
}

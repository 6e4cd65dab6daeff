package io.antiscraping.operator.apiserver;

import static org.awaitility.Awaitility.await;

import io.antiscraping.testing.ControlPlane;
import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.operator.enforcement.UpstreamCrds;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One test's view of a real control plane ({@link ControlPlane}): two admin clients, one for the operator, whose
 * every request is logged, and one for the test (the "user"), which is not; and namespaces of its own, so that
 * tests sharing the server do not see each other's objects. {@link #close()} removes the test's policies and
 * deletes its namespaces (kube-controller-manager deletes what is in them).
 */
public final class ApiServer implements AutoCloseable {

  public static final String CRD_RESOURCE = ControlPlane.CRD_RESOURCE;
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static boolean dataPlanesRegistered;

  private final ControlPlane plane;
  private final RequestLog log = new RequestLog();
  private final KubernetesClient operatorClient;
  private final KubernetesClient userClient;
  private final String name;
  private final List<String> namespaces = new ArrayList<>();

  private ApiServer(ControlPlane plane, String name) {
    this.plane = plane;
    this.name = name;
    operatorClient = new KubernetesClientBuilder().withConfig(plane.adminConfig())
        .withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor("request-log", log)).build();
    userClient = new KubernetesClientBuilder().withConfig(plane.adminConfig()).build();
  }

  /**
   * The shared control plane, with the ScrapingPolicy CRD and every data plane's CRDs registered; {@code name}
   * names the request log written on close.
   */
  public static ApiServer start(String name) {
    return new ApiServer(withDataPlanes(), name);
  }

  /** A second shared control plane without any data plane's CRDs (only ScrapingPolicy). */
  public static ApiServer withoutDataPlanes(String name) {
    return new ApiServer(ControlPlane.shared("without-data-planes"), name);
  }

  private static synchronized ControlPlane withDataPlanes() {
    ControlPlane plane = ControlPlane.shared();
    if (!dataPlanesRegistered) {
      UpstreamCrds.ALL.forEach(f -> ControlPlane.register(plane.admin(), UpstreamCrds.load(plane.admin(), f)));
      dataPlanesRegistered = true;
    }
    return plane;
  }

  public static CustomResourceDefinition crd(KubernetesClient client) {
    return ControlPlane.crd(client);
  }

  /**
   * Runs a read-modify-write of the test's (the "user"), again on 409 Conflict: the operator may write the object
   * (status, finalizer) between the read and the write, which a real API server refuses as a stale update.
   */
  public static void retryOnConflict(Runnable write) {
    for (int attempt = 1; ; attempt++) {
      try {
        write.run();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 10) {
          throw e;
        }
      }
    }
  }

  /** Creates a namespace of this test's, named {@code base-N}, and returns its name. */
  public String namespace(String base) {
    String ns = base + "-" + NAMESPACES.incrementAndGet();
    userClient.resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    namespaces.add(ns);
    return ns;
  }

  public ControlPlane plane() {
    return plane;
  }

  public KubernetesClient operatorClient() {
    return operatorClient;
  }

  public KubernetesClient userClient() {
    return userClient;
  }

  public RequestLog log() {
    return log;
  }

  /**
   * Writes the request log, then removes this test's policies (their finalizers too: the operator is stopped by
   * now) so that the next test's operator does not pick them up, and deletes this test's namespaces.
   */
  @Override
  public void close() {
    log.appendTo(Path.of("target", "api-requests", name + ".txt"));
    try {
      for (String ns : namespaces) {
        var policies = userClient.resources(ScrapingPolicy.class).inNamespace(ns);
        for (ScrapingPolicy p : policies.list().getItems()) {
          try {
            policies.withName(p.getMetadata().getName()).edit(e -> {
              e.getMetadata().setFinalizers(List.of());
              return e;
            });
          } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
              throw e;
            }
          }
        }
        policies.delete();
        try {
          await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
              .until(() -> policies.list().getItems().isEmpty());
        } catch (ConditionTimeoutException e) {
          // not the test's failure: deleting the namespace below removes what is left
        }
      }
    } finally {
      for (String ns : namespaces) {
        userClient.namespaces().withName(ns).delete();
      }
      operatorClient.close();
      userClient.close();
    }
  }
}

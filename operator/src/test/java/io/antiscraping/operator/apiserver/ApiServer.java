package io.antiscraping.operator.apiserver;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;

/**
 * The Fabric8 mock API server in CRUD mode with the ScrapingPolicy CRD registered, and two clients: one for the
 * operator, whose every request is logged, and one for the test (the "user"), which is not.
 */
public final class ApiServer implements AutoCloseable {

  public static final String CRD_RESOURCE = "/META-INF/fabric8/scrapingpolicies.antiscraping.io-v1.yml";

  private final KubernetesMockServer server;
  private final RequestLog log = new RequestLog();
  private final KubernetesClient operatorClient;
  private final KubernetesClient userClient;
  private final String name;

  private ApiServer(String name) {
    this.name = name;
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new Dispatcher(), false);
    server.init();
    operatorClient = server.createClient(b -> b.withHttpClientBuilderConsumer(
        h -> h.addOrReplaceInterceptor("request-log", log)));
    userClient = server.createClient();
    userClient.apiextensions().v1().customResourceDefinitions().resource(crd(userClient)).create();
  }

  /**
   * CRUD, plus an answer to SelfSubjectRulesReview, which the mock server rejects (422) and JOSDK's leader election
   * asks before taking the Lease. The answer allows everything: the chart's RBAC is checked separately, against
   * the requests recorded here.
   */
  private static final class Dispatcher extends KubernetesCrudDispatcher {
    Dispatcher() {
      super(List.of());
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      if ("POST".equals(request.getMethod())
          && request.getPath().startsWith("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")) {
        return new MockResponse().setResponseCode(201).setBody("{\"apiVersion\":\"authorization.k8s.io/v1\","
            + "\"kind\":\"SelfSubjectRulesReview\",\"spec\":{},\"status\":{\"incomplete\":false,"
            + "\"resourceRules\":[{\"verbs\":[\"*\"],\"apiGroups\":[\"*\"],\"resources\":[\"*\"]}],"
            + "\"nonResourceRules\":[]}}");
      }
      return super.dispatch(request);
    }
  }

  /** Starts a server; {@code name} names the request log written on close. */
  public static ApiServer start(String name) {
    return new ApiServer(name);
  }

  public static CustomResourceDefinition crd(KubernetesClient client) {
    try (InputStream in = ApiServer.class.getResourceAsStream(CRD_RESOURCE)) {
      return client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
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

  @Override
  public void close() {
    log.appendTo(Path.of("target", "api-requests", name + ".txt"));
    operatorClient.close();
    userClient.close();
    server.destroy();
  }
}

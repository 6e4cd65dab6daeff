package io.antiscraping.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a user installing the chart gets, read from the rendered manifests as Kubernetes objects. */
class ChartRenderTest {

  static final String NS = HelmChart.NAMESPACE;

  @Test
  void defaultInstallIsClusterWideWithOneLeaderElectedReplica() {
    HelmChart.Rendered r = HelmChart.template(Map.of());
    assertThat(r.kinds()).containsExactly("ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
        "Deployment", "Role", "RoleBinding", "Service", "ServiceAccount");

    Deployment d = r.one(Deployment.class);
    assertThat(d.getMetadata().getNamespace()).isEqualTo(NS);
    assertThat(d.getSpec().getReplicas()).isEqualTo(1);
    Container c = operator(d);
    assertThat(c.getImage()).isEqualTo("ghcr.io/antiscraping/antiscraping-operator:0.1.0");
    assertThat(c.getArgs()).containsExactly(
        "run",
        "--prometheus-url=http://prometheus-operated.monitoring:9090",
        "--metrics-port=8080",
        "--min-evaluation-interval=10s",
        "--namespace-concurrency=4",
        "--namespace-query-budget=600",
        "--leader-election",
        "--lease-name=antiscraping-operator");
    assertThat(d.getSpec().getStrategy()).as("rolling update: the Lease keeps one writer").isNull();
  }

  @Test
  void operatorPodIsHardened() {
    Deployment d = HelmChart.template(Map.of()).one(Deployment.class);
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    PodSecurityContext psc = pod.getSecurityContext();
    assertThat(psc.getRunAsNonRoot()).isTrue();
    assertThat(psc.getRunAsUser()).isEqualTo(65532L);
    assertThat(psc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);

    Container c = operator(d);
    SecurityContext sc = c.getSecurityContext();
    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
    assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
    assertThat(sc.getRunAsNonRoot()).isTrue();
    assertThat(sc.getPrivileged()).isNotEqualTo(Boolean.TRUE);
    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");

    // A read-only root filesystem still needs a writable temp directory for the JVM.
    assertThat(c.getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getMountPath()).isEqualTo("/tmp");
      assertThat(pod.getVolumes()).anySatisfy(v -> {
        assertThat(v.getName()).isEqualTo(m.getName());
        assertThat(v.getEmptyDir()).isNotNull();
      });
    });
  }

  @Test
  void jvmIsSizedFromTheContainerLimits() {
    Container c = operator(HelmChart.template(Map.of()).one(Deployment.class));
    Map<String, Quantity> requests = c.getResources().getRequests();
    Map<String, Quantity> limits = c.getResources().getLimits();
    assertThat(requests).containsKeys("cpu", "memory");
    assertThat(limits).containsKeys("cpu", "memory");
    assertThat(Quantity.getAmountInBytes(limits.get("memory")))
        .isGreaterThanOrEqualTo(Quantity.getAmountInBytes(requests.get("memory")));
    assertThat(env(c, "JAVA_TOOL_OPTIONS").getValue()).contains("-XX:MaxRAMPercentage=75");

    Container tuned = operator(HelmChart.template(Map.of("jvm",
        Map.of("maxRAMPercentage", 60, "extraOptions", "-Xss512k"))).one(Deployment.class));
    assertThat(env(tuned, "JAVA_TOOL_OPTIONS").getValue())
        .contains("-XX:MaxRAMPercentage=60").contains("-Xss512k").doesNotContain("=75");
  }

  @Test
  void probesHitTheHealthEndpointsOnTheMetricsPort() {
    Container c = operator(HelmChart.template(Map.of("metrics", Map.of("port", 9102))).one(Deployment.class));
    ContainerPort port = c.getPorts().get(0);
    assertThat(port.getContainerPort()).isEqualTo(9102);
    assertThat(c.getArgs()).contains("--metrics-port=9102");
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo(port.getName());
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(c.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo(port.getName());
  }

  @Test
  void leaseNamespaceComesFromTheDownwardApi() {
    Container c = operator(HelmChart.template(Map.of()).one(Deployment.class));
    assertThat(env(c, "POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace");
  }

  @Test
  void metricsServiceReachesTheOperatorPods() {
    HelmChart.Rendered r = HelmChart.template(Map.of());
    Deployment d = r.one(Deployment.class);
    Service s = r.one(Service.class);
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(s.getSpec().getSelector());
    assertThat(d.getSpec().getSelector().getMatchLabels()).containsAllEntriesOf(s.getSpec().getSelector());
    assertThat(s.getSpec().getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getPort()).isEqualTo(8080);
      assertThat(p.getTargetPort().getStrVal()).isEqualTo(operator(d).getPorts().get(0).getName());
    });
  }

  @Test
  void clusterWideRbacIsBoundToTheOperatorServiceAccount() {
    HelmChart.Rendered r = HelmChart.template(Map.of());
    ServiceAccount sa = r.one(ServiceAccount.class);
    Deployment d = r.one(Deployment.class);
    assertThat(d.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(sa.getMetadata().getName());

    ClusterRole role = r.one(ClusterRole.class);
    ClusterRoleBinding binding = r.one(ClusterRoleBinding.class);
    assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
    assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
      assertThat(s.getKind()).isEqualTo("ServiceAccount");
      assertThat(s.getName()).isEqualTo(sa.getMetadata().getName());
      assertThat(s.getNamespace()).isEqualTo(NS);
    });
    assertThat(verbs(role.getRules(), "antiscraping.io", "scrapingpolicies"))
        .containsExactlyInAnyOrder("get", "list", "watch", "patch");
    assertThat(verbs(role.getRules(), "antiscraping.io", "scrapingpolicies/status")).containsExactly("patch");
    // read from the informer cache, written by server-side apply: never a get
    assertThat(verbs(role.getRules(), "networking.k8s.io", "ingresses"))
        .containsExactlyInAnyOrder("list", "watch", "patch");
    assertThat(verbs(role.getRules(), "", "secrets")).as("read one named secret, never list them").containsExactly("get");
    assertThat(verbs(role.getRules(), "coordination.k8s.io", "leases")).as("leases only in the release namespace")
        .isEmpty();
  }

  @Test
  void noRuleUsesWildcardsOrPrivilegeEscalatingVerbs() {
    HelmChart.Rendered r = HelmChart.template(Scenario.EVERYTHING.values);
    List<PolicyRule> rules = new java.util.ArrayList<>();
    r.all(ClusterRole.class).forEach(cr -> rules.addAll(cr.getRules()));
    r.all(Role.class).forEach(role -> rules.addAll(role.getRules()));
    r = HelmChart.template(Scenario.ALL_PROVIDERS.values);
    r.all(ClusterRole.class).forEach(cr -> rules.addAll(cr.getRules()));
    assertThat(rules).isNotEmpty().allSatisfy(rule -> {
      assertThat(rule.getApiGroups()).doesNotContain("*");
      assertThat(rule.getResources()).doesNotContain("*");
      assertThat(rule.getVerbs()).doesNotContain("*", "escalate", "bind", "impersonate", "deletecollection");
      assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
    });
  }

  @Test
  void leaderElectionRoleCoversOnlyTheOperatorsLeaseInTheReleaseNamespace() {
    HelmChart.Rendered r = HelmChart.template(Map.of());
    Role lease = r.one(Role.class);
    assertThat(lease.getMetadata().getNamespace()).isEqualTo(NS);
    assertThat(lease.getRules()).allSatisfy(rule -> {
      assertThat(rule.getApiGroups()).containsExactly("coordination.k8s.io");
      assertThat(rule.getResources()).containsExactly("leases");
    });
    assertThat(lease.getRules()).anySatisfy(rule -> {
      // update: JOSDK checks for it before it competes for the Lease (renewals are patches)
      assertThat(rule.getVerbs()).containsExactlyInAnyOrder("get", "update", "patch");
      assertThat(rule.getResourceNames()).containsExactly("antiscraping-operator");
    });
    assertThat(lease.getRules()).anySatisfy(rule -> assertThat(rule.getVerbs()).containsExactly("create"));
    RoleBinding binding = r.one(RoleBinding.class);
    assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
    assertThat(binding.getRoleRef().getName()).isEqualTo(lease.getMetadata().getName());

    HelmChart.Rendered renamed = HelmChart.template(Map.of("leaderElection", Map.of("leaseName", "shop-guard")));
    assertThat(operator(renamed.one(Deployment.class)).getArgs()).contains("--lease-name=shop-guard");
    assertThat(renamed.one(Role.class).getRules()).anySatisfy(rule ->
        assertThat(rule.getResourceNames()).containsExactly("shop-guard"));
  }

  @Test
  void namespaceScopedInstallGetsOneRolePerWatchedNamespace() {
    HelmChart.Rendered r = HelmChart.template(Scenario.NAMESPACE_SCOPED.values);
    assertThat(operator(r.one(Deployment.class)).getArgs())
        .contains("--namespace=shop", "--namespace=outlet");

    List<Role> watched = r.all(Role.class).stream()
        .filter(role -> !role.getMetadata().getName().endsWith("-leader-election")).toList();
    assertThat(watched).extracting(role -> role.getMetadata().getNamespace()).containsExactly("shop", "outlet");
    List<RoleBinding> bindings = r.all(RoleBinding.class).stream()
        .filter(b -> !b.getMetadata().getName().endsWith("-leader-election")).toList();
    assertThat(bindings).extracting(b -> b.getMetadata().getNamespace()).containsExactly("shop", "outlet");
    assertThat(bindings).allSatisfy(b -> {
      assertThat(b.getRoleRef().getKind()).isEqualTo("Role");
      assertThat(b.getSubjects()).singleElement().satisfies(s -> assertThat(s.getNamespace()).isEqualTo(NS));
    });

    // The same grants as a cluster-wide install, and nothing cluster-wide at all.
    List<PolicyRule> clusterWide = HelmChart.template(Map.of()).one(ClusterRole.class).getRules();
    assertThat(watched).allSatisfy(role -> assertThat(role.getRules()).isEqualTo(clusterWide));
    assertThat(r.all(ClusterRole.class)).isEmpty();
    assertThat(r.all(ClusterRoleBinding.class)).isEmpty();
  }

  /** Security finding 14: with watchNamespaces, Secrets can be read in those namespaces only. */
  @Test
  void namespaceScopedInstallReadsSecretsOnlyInTheWatchedNamespaces() {
    HelmChart.Rendered r = HelmChart.template(Scenario.NAMESPACE_SCOPED.values);
    assertThat(r.all(Role.class).stream().filter(role -> role.getRules().stream()
            .anyMatch(rule -> rule.getResources().contains("secrets")))
        .map(role -> role.getMetadata().getNamespace())).containsExactly("shop", "outlet");
    assertThat(r.all(ClusterRole.class)).isEmpty();
  }

  /** Security findings 2 and 3: the admin's Prometheus allowlist and the optional egress NetworkPolicy. */
  @Test
  void hardenedInstallPassesTheAllowlistAndLimitsEgress() {
    HelmChart.Rendered r = HelmChart.template(Scenario.HARDENED.values);
    assertThat(operator(r.one(Deployment.class)).getArgs()).contains(
        "--prometheus-allowed-url=https://thanos.monitoring.svc:10902", "--prometheus-allowed-url=prometheus.shop.svc",
        "--min-evaluation-interval=30s", "--namespace-concurrency=2", "--namespace-query-budget=120",
        "--never-ban=10.244.0.0/16", "--never-ban=10.0.0.0/24", "--prometheus-tenant-parameter=namespace")
        .doesNotContain("--allow-bearer-token-over-http");
    assertThat(operator(HelmChart.template(Map.of()).one(Deployment.class)).getArgs())
        .contains("--min-evaluation-interval=10s", "--namespace-concurrency=4", "--namespace-query-budget=600");
    io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy np =
        r.one(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class);
    assertThat(np.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
    assertThat(np.getSpec().getPodSelector().getMatchLabels())
        .isEqualTo(r.one(Deployment.class).getSpec().getSelector().getMatchLabels());
    var egress = np.getSpec().getEgress();
    assertThat(egress).hasSize(3);
    assertThat(egress.get(0).getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(53, 53);
    assertThat(egress.get(1).getTo()).singleElement().satisfies(peer ->
        assertThat(peer.getIpBlock().getCidr()).isEqualTo("10.0.0.1/32"));
    assertThat(egress.get(2).getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(10902);
    assertThat(egress).flatExtracting(e -> e.getTo()).noneMatch(peer -> peer.getIpBlock() != null
        && (peer.getIpBlock().getCidr().startsWith("0.0.0.0") || peer.getIpBlock().getCidr().startsWith("169.254")));

    assertThat(HelmChart.template(Map.of()).all(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class))
        .as("off by default: it needs the API server's addresses").isEmpty();
    assertThat(operator(HelmChart.template(Map.of("prometheus", Map.of("allowBearerTokenOverHttp", true)))
        .one(Deployment.class)).getArgs()).contains("--allow-bearer-token-over-http");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> HelmChart.template(
            Map.of("networkPolicy", Map.of("enabled", true))))
        .hasMessageContaining("networkPolicy.apiServer.cidrs");
  }

  /**
   * Issue S: /metrics shows every tenant's signal values. With the NetworkPolicy on, the metrics port is reachable
   * from the monitoring namespace only (by default), from whoever networkPolicy.metricsFrom names, or from nobody.
   */
  @Test
  @SuppressWarnings("unchecked")
  void theMetricsPortIsReachableOnlyFromTheNamespacesTheAdminNames() {
    io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy np = HelmChart.template(Scenario.HARDENED.values)
        .one(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class);
    assertThat(np.getSpec().getPolicyTypes()).contains("Ingress");
    assertThat(np.getSpec().getIngress()).singleElement().satisfies(rule -> {
      assertThat(rule.getPorts()).singleElement().satisfies(p -> {
        assertThat(p.getPort().getIntVal()).isEqualTo(8080);
        assertThat(p.getProtocol()).isEqualTo("TCP");
      });
      assertThat(rule.getFrom()).as("not every pod: a peer list is required").singleElement().satisfies(peer -> {
        assertThat(peer.getNamespaceSelector().getMatchLabels())
            .isEqualTo(Map.of("kubernetes.io/metadata.name", "monitoring"));
        assertThat(peer.getPodSelector()).isNull();
        assertThat(peer.getIpBlock()).isNull();
      });
    });

    Map<String, Object> values = new java.util.HashMap<>(Scenario.HARDENED.values);
    Map<String, Object> policy = new java.util.HashMap<>((Map<String, Object>) Scenario.HARDENED.values.get("networkPolicy"));
    policy.put("metricsFrom", List.of(Map.of(
        "namespaceSelector", Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "observability")),
        "podSelector", Map.of("matchLabels", Map.of("app.kubernetes.io/name", "prometheus")))));
    values.put("networkPolicy", policy);
    values.put("metrics", Map.of("port", 9102));
    var custom = HelmChart.template(values).one(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class)
        .getSpec().getIngress();
    assertThat(custom).singleElement().satisfies(rule -> {
      assertThat(rule.getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(9102);
      assertThat(rule.getFrom()).singleElement().satisfies(peer -> {
        assertThat(peer.getNamespaceSelector().getMatchLabels())
            .isEqualTo(Map.of("kubernetes.io/metadata.name", "observability"));
        assertThat(peer.getPodSelector().getMatchLabels()).isEqualTo(Map.of("app.kubernetes.io/name", "prometheus"));
      });
    });

    policy.put("metricsFrom", List.of());
    var none = HelmChart.template(values).one(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class);
    assertThat(none.getSpec().getPolicyTypes()).as("still isolated for ingress").contains("Ingress");
    assertThat(none.getSpec().getIngress()).as("no rule: nobody but the node reaches the pod").isNullOrEmpty();
  }

  @Test
  void highAvailabilityRunsTwoLeaderElectedReplicasWithADisruptionBudget() {
    HelmChart.Rendered single = HelmChart.template(Map.of());
    assertThat(single.all(PodDisruptionBudget.class)).as("no PDB for one replica: it would block node drains")
        .isEmpty();

    HelmChart.Rendered r = HelmChart.template(Scenario.HIGH_AVAILABILITY.values);
    Deployment d = r.one(Deployment.class);
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    assertThat(operator(d).getArgs()).contains("--leader-election").doesNotContain("--no-leader-election");
    assertThat(r.find("Role", "antiscraping-operator-leader-election")).isPresent();
    PodDisruptionBudget pdb = r.one(PodDisruptionBudget.class);
    assertThat(pdb.getMetadata().getNamespace()).isEqualTo(NS);
    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
  }

  @Test
  void withoutLeaderElectionThereIsNoLeaseAccessAndNoOverlappingRollout() {
    HelmChart.Rendered r = HelmChart.template(Map.of("leaderElection", Map.of("enabled", false)));
    Deployment d = r.one(Deployment.class);
    assertThat(operator(d).getArgs()).contains("--no-leader-election")
        .noneMatch(a -> a.equals("--leader-election") || a.startsWith("--lease-name"));
    assertThat(d.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    assertThat(r.all(Role.class)).isEmpty();
  }

  @Test
  void operatorFlagsFollowTheValues() {
    Container c = operator(HelmChart.template(Map.of(
        "prometheus", Map.of("url", "https://thanos-query.observability:9090"),
        "allowSnippetAnnotations", true,
        "extraArgs", List.of("--some-future-flag=1"))).one(Deployment.class));
    assertThat(c.getArgs()).contains("--prometheus-url=https://thanos-query.observability:9090",
        "--allow-snippet-annotations", "--some-future-flag=1");
    assertThat(operator(HelmChart.template(Map.of()).one(Deployment.class)).getArgs())
        .doesNotContain("--allow-snippet-annotations");
  }

  @Test
  void imageDigestWinsOverTheTag() {
    String digest = "sha256:" + "a".repeat(64);
    assertThat(operator(HelmChart.template(Map.of("image", Map.of("tag", "0.2.0"))).one(Deployment.class))
        .getImage()).isEqualTo("ghcr.io/antiscraping/antiscraping-operator:0.2.0");
    assertThat(operator(HelmChart.template(Map.of("image", Map.of("tag", "0.2.0", "digest", digest)))
        .one(Deployment.class)).getImage()).isEqualTo("ghcr.io/antiscraping/antiscraping-operator@" + digest);
  }

  @Test
  void providerRbacIsOffUntilEnabled() {
    List<PolicyRule> defaults = HelmChart.template(Map.of()).one(ClusterRole.class).getRules();
    assertThat(defaults).noneMatch(rule -> rule.getApiGroups().contains("gateway.envoyproxy.io")
        || rule.getApiGroups().contains("gateway.networking.k8s.io") || rule.getApiGroups().contains("traefik.io"));

    List<PolicyRule> rules = HelmChart.template(Scenario.ALL_PROVIDERS.values).one(ClusterRole.class).getRules();
    assertThat(verbs(rules, "gateway.networking.k8s.io", "httproutes")).containsExactlyInAnyOrder("get", "list", "watch");
    for (String owned : List.of("backendtrafficpolicies", "securitypolicies")) {
      assertThat(verbs(rules, "gateway.envoyproxy.io", owned))
          .containsExactlyInAnyOrder("get", "list", "watch", "create", "patch", "delete");
    }
    assertThat(verbs(rules, "traefik.io", "middlewares"))
        .containsExactlyInAnyOrder("get", "list", "watch", "create", "patch", "delete");
    // Owned objects point at their policy with blockOwnerDeletion, which needs update on its finalizers.
    assertThat(verbs(rules, "antiscraping.io", "scrapingpolicies/finalizers")).containsExactly("update");
    assertThat(verbs(defaults, "antiscraping.io", "scrapingpolicies/finalizers")).isEmpty();
  }

  @Test
  void existingServiceAccountCanBeUsed() {
    HelmChart.Rendered r = HelmChart.template(Map.of("serviceAccount", Map.of("create", false, "name", "platform-sa")));
    assertThat(r.all(ServiceAccount.class)).isEmpty();
    assertThat(r.one(Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo("platform-sa");
    assertThat(r.one(ClusterRoleBinding.class).getSubjects().get(0).getName()).isEqualTo("platform-sa");
  }

  static Container operator(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(c -> c.getName().equals("operator")).findFirst().orElseThrow();
  }

  static EnvVar env(Container c, String name) {
    Optional<EnvVar> found = c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst();
    assertThat(found).as("env %s", name).isPresent();
    return found.get();
  }

  static List<String> verbs(List<PolicyRule> rules, String group, String resource) {
    return rules.stream()
        .filter(rule -> rule.getApiGroups().contains(group) && rule.getResources().contains(resource))
        .flatMap(rule -> rule.getVerbs().stream())
        .toList();
  }
}

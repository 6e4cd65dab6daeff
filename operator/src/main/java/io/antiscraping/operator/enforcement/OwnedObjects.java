package io.antiscraping.operator.enforcement;

import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Objects the operator creates for a policy (Envoy Gateway policies, Traefik middlewares): their names, labels and
 * the controller ownerReference to the policy, and how to recognise them.
 */
public final class OwnedObjects {

  /** Label naming the policy an object belongs to. */
  public static final String POLICY_LABEL = "antiscraping.io/policy";
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY = "antiscraping-operator";

  private static final int MAX_NAME = 253;

  private OwnedObjects() {
  }

  /** {@code <policy>-<suffix>}, shortened with a hash when it would exceed the 253 characters of a name. */
  public static String name(String policyName, String suffix) {
    String name = policyName + "-" + suffix;
    if (name.length() <= MAX_NAME) {
      return name;
    }
    String hash = sha256(policyName).substring(0, 8);
    String head = policyName.substring(0, MAX_NAME - suffix.length() - hash.length() - 2).replaceAll("[.-]+$", "");
    return head + "-" + hash + "-" + suffix;
  }

  public static Map<String, String> labels(PolicyRef policy) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(MANAGED_BY_LABEL, MANAGED_BY);
    labels.put(POLICY_LABEL, policy.name());
    return labels;
  }

  /** The controller reference to the policy (the API server's garbage collector deletes the object with it). */
  public static OwnerReference ownerReference(PolicyRef policy) {
    return new OwnerReferenceBuilder().withApiVersion(HasMetadata.getApiVersion(ScrapingPolicy.class))
        .withKind(HasMetadata.getKind(ScrapingPolicy.class)).withName(policy.name()).withUid(policy.uid())
        .withController(true).withBlockOwnerDeletion(true).build();
  }

  /**
   * Whether an object is controlled by the policy of this name. The uid is not compared: an object left by a deleted
   * policy of the same name is adopted (and, on a real cluster, soon deleted by the garbage collector and recreated).
   */
  public static boolean ownedBy(HasMetadata object, PolicyRef policy) {
    List<OwnerReference> refs = object.getMetadata().getOwnerReferences();
    return refs != null && refs.stream().anyMatch(r -> Boolean.TRUE.equals(r.getController())
        && HasMetadata.getKind(ScrapingPolicy.class).equals(r.getKind()) && policy.name().equals(r.getName()));
  }

  /** Whether an object carries the operator's label for the named policy. */
  public static boolean labelledFor(HasMetadata object, String policyName) {
    Map<String, String> labels = object.getMetadata().getLabels();
    return labels != null && policyName.equals(labels.get(POLICY_LABEL));
  }

  /** Whether an object was created by this operator for any policy. */
  public static boolean managed(HasMetadata object) {
    Map<String, String> labels = object.getMetadata().getLabels();
    return labels != null && MANAGED_BY.equals(labels.get(MANAGED_BY_LABEL)) && labels.containsKey(POLICY_LABEL);
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

package io.antiscraping.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;
import lombok.AllArgsConstructor;
import lombok.Builder;
import lombok.Data;
import lombok.NoArgsConstructor;

@Data
@NoArgsConstructor
@AllArgsConstructor
@Builder(toBuilder = true)
public class Allowlist {

  @Size(max = 256)
  @JsonPropertyDescription("IPv4/IPv6 addresses or CIDRs (e.g. 10.0.0.0/8, 2001:db8::/32), at most /8 (IPv4) or "
      + "/32 (IPv6) broad. Anything else makes the policy Invalid.")
  @Builder.Default
  private List<String> cidrs = new ArrayList<>();
}

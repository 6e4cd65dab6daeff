package io.antiscraping.lab.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AddressesTest {

  @Test
  void takesDistinctHostAddresses() {
    assertThat(Addresses.take("198.18.0.0/16", 300)).doesNotHaveDuplicates().hasSize(300)
        .startsWith("198.18.0.1").contains("198.18.1.44");
    assertThatThrownBy(() -> Addresses.take("192.0.2.0/30", 3)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void membership() {
    assertThat(Addresses.contains("10.0.0.0/8", "10.200.3.4")).isTrue();
    assertThat(Addresses.contains("10.0.0.0/8", "11.0.0.1")).isFalse();
    assertThat(Addresses.contains("203.0.113.7", "203.0.113.7")).isTrue();
    assertThat(Addresses.contains("10.0.0.0/8", "not-an-address")).isFalse();
  }
}

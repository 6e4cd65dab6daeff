package io.antiscraping.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SeriesNotationTest {

  @Test
  void expandsAsPromtoolDoes() {
    assertThat(SeriesNotation.expand("0+10x3")).containsExactly(0.0, 10.0, 20.0, 30.0);
    assertThat(SeriesNotation.expand("5-1x2 7")).containsExactly(5.0, 4.0, 3.0, 7.0);
    assertThat(SeriesNotation.expand("2x2")).containsExactly(2.0, 2.0, 2.0);
    assertThat(SeriesNotation.expand("-1+0.5x2")).containsExactly(-1.0, -0.5, 0.0);
    assertThat(SeriesNotation.expand("1e3 1e-1+1e-1x1")).containsExactly(1000.0, 0.1, 0.2);
  }

  @Test
  void missingSamplesAndSpecialValues() {
    assertThat(SeriesNotation.expand("1 _ _x2 NaN Inf -Inf"))
        .isEqualTo(Arrays.asList(1.0, null, null, null, Double.NaN, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY));
  }

  @Test
  void garbageIsRejectedWithTheToken() {
    assertThatThrownBy(() -> SeriesNotation.expand("1 lots")).hasMessageContaining("\"lots\" is not a number");
    assertThatThrownBy(() -> SeriesNotation.expand("1x-2")).hasMessageContaining("\"1x-2\": the count after x");
  }
}

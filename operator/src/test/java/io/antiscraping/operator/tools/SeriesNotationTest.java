package io.antiscraping.operator.tools;

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

  /** Security finding S5: {@code 0+1x2147483647} ran out of memory; a series holds at most 100,000 samples. */
  @Test
  void aHugeExpansionIsAnErrorNotAnOutOfMemoryError() {
    assertThatThrownBy(() -> SeriesNotation.expand("0+1x2147483647"))
        .hasMessage("\"0+1x2147483647\": a series holds at most 100000 samples (this one would have 2147483648)");
    assertThatThrownBy(() -> SeriesNotation.expand("_x2147483647")).hasMessageContaining("at most 100000 samples");
    assertThatThrownBy(() -> SeriesNotation.expand("1x50000 2x50000")).hasMessageContaining("\"2x50000\"");
    assertThat(SeriesNotation.expand("1x49999 2x49999")).hasSize(100_000);
    assertThatThrownBy(() -> SeriesNotation.expand("1x49999 2x49999 3")).hasMessageContaining("\"3\"");
  }
}

package io.antiscraping.lab.traffic;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Ranks 1..n drawn with probability proportional to 1/rank^s (skewed product popularity). */
final class Zipf {

  private final double[] cdf;

  Zipf(int n, double s) {
    cdf = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += 1.0 / Math.pow(i + 1, s);
      cdf[i] = sum;
    }
    for (int i = 0; i < n; i++) {
      cdf[i] /= sum;
    }
  }

  int next(SplittableRandom random) {
    int i = Arrays.binarySearch(cdf, random.nextDouble());
    return (i >= 0 ? i : -i - 1) + 1;
  }
}

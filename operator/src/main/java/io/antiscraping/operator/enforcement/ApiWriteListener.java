package io.antiscraping.operator.enforcement;

/** Told about every API write an enforcer makes (wired to the operator's metrics). */
@FunctionalInterface
public interface ApiWriteListener {
  void written(String kind, String verb);
}

package io.antiscraping.operator;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The package rules of docs/architecture.md: decisions are pure; data flows one way. */
class ArchitectureTest {

  static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.antiscraping.operator");
  }

  @Test
  void decisionIsPure() {
    noClasses().that().resideInAPackage("..operator.decision..")
        .should().dependOnClassesThat().resideInAnyPackage("io.fabric8..", "io.javaoperatorsdk..", "java.net..",
            "java.net.http..", "java.io..", "java.nio.file..")
        .because("the decision engine is a pure function of (spec, state, readings, now): no Kubernetes, no I/O")
        .check(classes);
  }

  @Test
  void decisionKnowsNothingOfTheOtherPackages() {
    noClasses().that().resideInAPackage("..operator.decision..")
        .should().dependOnClassesThat().resideInAnyPackage("..operator.detection..", "..operator.enforcement..",
            "..operator.reconciler..", "..operator.metrics..", "..operator.cli..", "..operator.runtime..",
            "..operator.tools..")
        .check(classes);
  }

  @Test
  void detectionAndEnforcementNeverDependOnEachOther() {
    noClasses().that().resideInAPackage("..operator.detection..")
        .should().dependOnClassesThat().resideInAPackage("..operator.enforcement..")
        .allowEmptyShould(true)
        .check(classes);
    noClasses().that().resideInAPackage("..operator.enforcement..")
        .should().dependOnClassesThat().resideInAPackage("..operator.detection..")
        .allowEmptyShould(true)
        .check(classes);
  }

  @Test
  void detectionDoesNotReachIntoKubernetes() {
    noClasses().that().resideInAPackage("..operator.detection..")
        .should().dependOnClassesThat().resideInAnyPackage("io.fabric8.kubernetes..", "io.javaoperatorsdk..",
            "..operator.reconciler..")
        .allowEmptyShould(true)
        .check(classes);
  }

  @Test
  void thePolicyToolsAndTheOperatorRuntimeAreApart() {
    noClasses().that().resideInAPackage("..operator.tools..")
        .should().dependOnClassesThat().resideInAPackage("..operator.runtime..")
        .because("validate, test, render and diff run offline, without the operator's runtime (clients, informers)")
        .check(classes);
    noClasses().that().resideInAPackage("..operator.runtime..")
        .should().dependOnClassesThat().resideInAPackage("..operator.tools..")
        .because("the running operator never goes through the offline policy tools")
        .check(classes);
  }
}

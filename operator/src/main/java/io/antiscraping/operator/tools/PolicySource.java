package io.antiscraping.operator.tools;

import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;

/**
 * One ScrapingPolicy read from a file (or stdin) for render, test and diff: the file must hold exactly one (other
 * kinds are ignored) and it must pass {@code validate}, since the operator plans nothing for an invalid policy.
 */
record PolicySource(YamlDocuments.Document document, ScrapingPolicySpec spec) {

  /** Why a policy could not be used: the messages, each with file:line; a failed check (exit 1). */
  static final class Invalid extends Exception {
    final List<String> messages;

    Invalid(List<String> messages) {
      super(String.join("\n", messages));
      this.messages = messages;
    }
  }

  String name() {
    return document.name();
  }

  String namespace() {
    return document.namespace().isEmpty() ? "default" : document.namespace();
  }

  String uid() {
    String uid = document.node().path("metadata").path("uid").asText("");
    return uid.isEmpty() ? null : uid;
  }

  static PolicySource load(CommandLine cmd, String file, InputStream stdin) throws Invalid {
    Path path = Path.of(file);
    if (!"-".equals(file) && !java.nio.file.Files.isReadable(path)) {
      throw new CommandLine.ParameterException(cmd, file + ": no such file");
    }
    List<YamlDocuments.Document> docs;
    try {
      docs = YamlDocuments.read(path, stdin).stream().filter(d -> PolicyCheck.isPolicy(d.node())).toList();
    } catch (YamlDocuments.SourceException e) {
      throw new Invalid(List.of(e.where() + ": error: " + e.getMessage()));
    }
    if (docs.size() != 1) {
      throw new CommandLine.ParameterException(cmd, YamlDocuments.display(path) + ": expected exactly one "
          + "ScrapingPolicy, found " + docs.size());
    }
    PolicyCheck.Result r = PolicyCheck.check(docs.get(0), false, false);
    if (!r.valid()) {
      throw new Invalid(r.findings().stream().filter(PolicyCheck.Finding::error).map(PolicyCheck.Finding::human)
          .toList());
    }
    return new PolicySource(docs.get(0), r.spec());
  }
}

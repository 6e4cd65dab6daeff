package io.antiscraping.operator.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.antiscraping.api.v1alpha1.Level;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.Signal;
import io.antiscraping.api.v1alpha1.Targets;
import io.antiscraping.operator.decision.Cidr;
import io.antiscraping.operator.decision.Decision;
import io.antiscraping.operator.decision.DecisionEngine;
import io.antiscraping.operator.decision.EngineState;
import io.antiscraping.operator.decision.Plans;
import io.antiscraping.operator.decision.Readings;
import io.antiscraping.operator.enforcement.ingressnginx.IngressNginxEnforcer;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code antiscraping-operator diff}: what a policy change changes on the data plane, for pull-request review. */
@Command(name = "diff", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Show, per level, what would change on the data plane between two versions of a policy: rate "
        + "limits, WAF, exemptions and everything else the operator writes (rendered by its own planner and "
        + "renderers), what becomes (or stops being) not enforceable, and which bans a change of the allowlist, "
        + "prefix lengths or offender rules would lift (with --bans: decided by the operator's decision engine on "
        + "those bans).",
        "",
        "Example:  git show main:policies/storefront.yaml > old.yaml && antiscraping-operator diff old.yaml "
            + "policies/storefront.yaml --bans bans.txt"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:compared (with --exit-code: no difference)", "1:a policy is invalid (with --exit-code: "
        + "they differ)", "2:bad usage"})
public final class DiffCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "POLICY_OLD", description = "The policy as it is (a file, or - for stdin).")
  String oldFile;

  @Parameters(index = "1", paramLabel = "POLICY_NEW", description = "The policy as proposed.")
  String newFile;

  @Option(names = "--provider", paramLabel = "P", description = "IngressNginx, EnvoyGateway or Traefik. Default: "
      + "the new policy's spec.targets.provider.")
  String provider;

  @Option(names = "--bans", paramLabel = "FILE", description = "Bans in force (one address or CIDR per line, e.g. "
      + "from kubectl get scrapingpolicy -o jsonpath='{.status.banned[*].client}'): which of them the new policy "
      + "would lift.")
  Path bans;

  @Option(names = "--allow-snippet-annotations", description = "As the operator's flag of that name.")
  boolean allowSnippets;

  @Option(names = "--exit-code", description = "Exit 1 when the data plane would change (as git diff --exit-code).")
  boolean exitCode;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
      description = "text (default) or json.")
  String output;

  InputStream stdin = System.in;

  /** One level's changes: {@code changes} is "key: old -> new" per written value. */
  record LevelDiff(String level, String state, List<String> changes, List<String> notEnforceable) {
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    CommandLineInputs.requireFormat(spec, output);
    PolicySource before;
    PolicySource after;
    List<Cidr> inForce;
    try {
      before = PolicySource.load(spec.commandLine(), oldFile, stdin);
      after = PolicySource.load(spec.commandLine(), newFile, stdin);
      if (bans != null && !java.nio.file.Files.isReadable(bans)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--bans: " + bans + ": no such file");
      }
      inForce = bans == null ? null : RenderCommand.parseAddresses(bans);
    } catch (PolicySource.Invalid e) {
      e.messages.forEach(err::println);
      err.flush();
      return 1;
    } catch (RenderCommand.Bad e) {
      err.println(e.getMessage());
      err.flush();
      return 1;
    }
    Targets.Provider p;
    try {
      p = provider == null ? after.spec().getTargets().getProvider() : DataPlaneRender.provider(provider);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--provider: " + e.getMessage());
    }

    List<LevelDiff> levels = new ArrayList<>();
    LinkedHashSet<String> names = new LinkedHashSet<>(levelNames(before.spec()));
    names.addAll(levelNames(after.spec()));
    for (String level : names) {
      boolean inOld = levelNames(before.spec()).contains(level);
      boolean inNew = levelNames(after.spec()).contains(level);
      Map<String, String> o = inOld ? flatten(render(before, p, level)) : Map.of();
      Map<String, String> n = inNew ? flatten(render(after, p, level)) : Map.of();
      List<String> changes = changes(o, n);
      List<String> ne = changes(
          inOld ? asKeys(render(before, p, level).notEnforceable()) : Map.of(),
          inNew ? asKeys(render(after, p, level).notEnforceable()) : Map.of());
      String state = !inOld ? "added" : !inNew ? "removed" : changes.isEmpty() && ne.isEmpty() ? "unchanged"
          : "changed";
      levels.add(new LevelDiff(level, state, changes, ne));
    }
    List<String> allowlist = changes(asKeys(Plans.allowlist(before.spec()).stream().map(Cidr::toString).toList()),
        asKeys(Plans.allowlist(after.spec()).stream().map(Cidr::toString).toList()));
    List<String> rules = banRules(before.spec(), after.spec());
    Map<String, String> lifted = inForce == null ? null : lifted(before, after, inForce);
    boolean differs = levels.stream().anyMatch(l -> !"unchanged".equals(l.state())) || !allowlist.isEmpty()
        || (lifted != null && !lifted.isEmpty());

    if ("json".equals(output)) {
      ObjectNode root = PolicyCheck.MAPPER.createObjectNode();
      root.put("provider", p.wireName());
      root.put("differs", differs);
      ArrayNode ls = root.putArray("levels");
      for (LevelDiff l : levels) {
        ObjectNode lo = ls.addObject();
        lo.put("level", l.level());
        lo.put("state", l.state());
        l.changes().forEach(lo.putArray("changes")::add);
        l.notEnforceable().forEach(lo.putArray("notEnforceable")::add);
      }
      allowlist.forEach(root.putArray("allowlist")::add);
      rules.forEach(root.putArray("banRules")::add);
      if (lifted != null) {
        ObjectNode lo = root.putObject("lifted");
        lifted.forEach(lo::put);
      }
      out.println(root.toPrettyString());
    } else {
      out.println("--- " + YamlDocuments.display(Path.of(oldFile)) + "  (" + qualified(before) + ")");
      out.println("+++ " + YamlDocuments.display(Path.of(newFile)) + "  (" + qualified(after) + ")");
      out.println("data plane: " + p.wireName());
      for (LevelDiff l : levels) {
        out.println("level " + l.level() + ": " + l.state());
        l.changes().forEach(c -> out.println("  " + c));
        l.notEnforceable().forEach(c -> out.println("  not enforceable " + c));
      }
      if (!allowlist.isEmpty()) {
        out.println("allowlist (never limited, never banned; bans inside an added entry are lifted):");
        allowlist.forEach(c -> out.println("  " + c));
      }
      rules.forEach(r -> out.println(r));
      if (lifted != null) {
        out.println(lifted.isEmpty() ? "bans lifted: none of the " + inForce.size() + " in force"
            : "bans lifted (" + lifted.size() + " of the " + inForce.size() + " in force):");
        lifted.forEach((c, why) -> out.println("  " + c + "  " + why));
      }
    }
    out.flush();
    return exitCode && differs ? 1 : 0;
  }

  private DataPlaneRender.Output render(PolicySource policy, Targets.Provider p, String level) {
    return DataPlaneRender.render(policy, p, Plans.forLevel(policy.spec(), level, List.of()), null, allowSnippets);
  }

  private static String qualified(PolicySource p) {
    return p.namespace() + "/" + p.name();
  }

  private static List<String> levelNames(ScrapingPolicySpec spec) {
    return spec.getLevels().stream().map(Level::getName).toList();
  }

  private static Map<String, String> asKeys(List<String> items) {
    Map<String, String> m = new TreeMap<>();
    items.forEach(i -> m.put(i, ""));
    return m;
  }

  /** The written values: ingress-nginx annotations by key, other objects by kind and field path. */
  private static Map<String, String> flatten(DataPlaneRender.Output output) {
    Map<String, String> out = new TreeMap<>();
    for (ObjectNode o : output.objects()) {
      if ("Ingress".equals(o.path("kind").asText())) {
        o.at("/metadata/annotations").fields().forEachRemaining(e -> {
          if (!e.getKey().equals(IngressNginxEnforcer.OWNER)) {
            out.put(e.getKey().replace("nginx.ingress.kubernetes.io/", ""), e.getValue().asText());
          }
        });
      } else {
        flatten(o.path("kind").asText() + " " + o.at("/metadata/name").asText() + ": spec", o.path("spec"), out);
      }
    }
    return out;
  }

  private static void flatten(String path, JsonNode node, Map<String, String> out) {
    if (node.isObject()) {
      node.fields().forEachRemaining(e -> flatten(path + "." + e.getKey(), e.getValue(), out));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        flatten(path + "[" + i + "]", node.get(i), out);
      }
    } else {
      out.put(path, node.asText());
    }
  }

  /** {@code - key: value}, {@code + key: value}, {@code ~ key: old -> new}, sorted by key. */
  private static List<String> changes(Map<String, String> before, Map<String, String> after) {
    TreeSet<String> keys = new TreeSet<>(before.keySet());
    keys.addAll(after.keySet());
    List<String> out = new ArrayList<>();
    for (String k : keys) {
      String o = before.get(k);
      String n = after.get(k);
      if (Objects.equals(o, n)) {
        continue;
      }
      if (o == null) {
        out.add("+ " + k + (n.isEmpty() ? "" : ": " + n));
      } else if (n == null) {
        out.add("- " + k + (o.isEmpty() ? "" : ": " + o));
      } else {
        out.add("~ " + k + ": " + o + " -> " + n);
      }
    }
    return out;
  }

  /** Changes of the rules that decide which bans may stay in force. */
  private static List<String> banRules(ScrapingPolicySpec before, ScrapingPolicySpec after) {
    List<String> out = new ArrayList<>();
    var o = before.getOffenders();
    var n = after.getOffenders();
    if (o != null && n == null) {
      out.add("offenders removed: every ban is lifted at the next evaluation");
    } else if (o == null && n != null) {
      out.add("offenders added: clients above " + n.getAbove() + " for " + n.getForDuration() + " are banned");
    } else if (o != null) {
      compare(out, "offenders.ipv4PrefixLength", o.getIpv4PrefixLength(), n.getIpv4PrefixLength(),
          "client bans broader than the new length are lifted");
      compare(out, "offenders.ipv6PrefixLength", o.getIpv6PrefixLength(), n.getIpv6PrefixLength(),
          "client bans broader than the new length are lifted");
      compare(out, "offenders.maxBanned", o.getMaxBanned(), n.getMaxBanned(),
          "above a lower cap the bans expiring soonest are lifted");
      compare(out, "offenders.above", o.getAbove(), n.getAbove(), "the bar for new bans");
      compare(out, "offenders.for", o.getForDuration(), n.getForDuration(), "the time above the bar before a ban");
      compare(out, "offenders.banFor", o.getBanFor(), n.getBanFor(), "new bans and extensions");
      var op = o.getPrefixes();
      var np = n.getPrefixes();
      if (op != null && np == null) {
        out.add("offenders.prefixes removed: prefix bans are lifted at the next evaluation");
      } else if (op == null && np != null) {
        out.add("offenders.prefixes added: networks are banned whole (/" + np.getIpv4PrefixLength() + ", /"
            + np.getIpv6PrefixLength() + ")");
      } else if (op != null) {
        compare(out, "offenders.prefixes.ipv4PrefixLength", op.getIpv4PrefixLength(), np.getIpv4PrefixLength(),
            "prefix bans of another length are lifted");
        compare(out, "offenders.prefixes.ipv6PrefixLength", op.getIpv6PrefixLength(), np.getIpv6PrefixLength(),
            "prefix bans of another length are lifted");
      }
    }
    return out;
  }

  private static void compare(List<String> out, String field, Object o, Object n, String meaning) {
    if (!Objects.equals(o, n)) {
      out.add(field + ": " + o + " -> " + n + " (" + meaning + ")");
    }
  }

  /**
   * The bans in force that the new policy lifts and the old one keeps: each policy's decision engine is run once
   * on those bans (expiring in an hour, signals available but quiet) and what it revokes is compared.
   */
  private static Map<String, String> lifted(PolicySource before, PolicySource after, List<Cidr> inForce) {
    TreeSet<Cidr> keptBefore = kept(before.spec(), inForce);
    TreeSet<Cidr> keptAfter = kept(after.spec(), inForce);
    List<Cidr> allowlist = Plans.allowlist(after.spec());
    Map<String, String> out = new LinkedHashMap<>();
    for (Cidr c : inForce) {
      if (keptBefore.contains(c) && !keptAfter.contains(c)) {
        String why = allowlist.stream().filter(a -> a.overlaps(c)).findFirst()
            .map(a -> "(allowlisted: " + a + ")")
            .orElse("(no longer allowed: prefix length, offenders or maxBanned)");
        out.put(c.toString(), why);
      }
    }
    return out;
  }

  private static TreeSet<Cidr> kept(ScrapingPolicySpec spec, List<Cidr> inForce) {
    Instant now = PolicyTest.START;
    Map<Cidr, EngineState.BanEntry> bans = new TreeMap<>();
    inForce.forEach(c -> bans.put(c, new EngineState.BanEntry(now.plus(Duration.ofHours(1)), "in force")));
    EngineState state = new EngineState(Plans.baseline(spec), now.minusSeconds(60), List.of(), Map.of(), null,
        Map.of(), Map.of(), bans, now.minusSeconds(30), null, now.minusSeconds(30));
    Readings.Builder readings = Readings.builder();
    for (Signal s : spec.getSignals()) {
      if (s.getPerClient() == null) {
        readings.scalar(s.getName(), 0);
      } else {
        readings.perClient(s.getName(), Map.of());
      }
    }
    Decision d = new DecisionEngine().decide(spec, state, readings.build(), now);
    return new TreeSet<>(d.next().bans().keySet());
  }
}

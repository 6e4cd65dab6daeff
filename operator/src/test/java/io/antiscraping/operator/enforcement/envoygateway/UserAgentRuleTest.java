package io.antiscraping.operator.enforcement.envoygateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CEL expression written into the SecurityPolicy, compiled and evaluated by a CEL implementation the way
 * Envoy evaluates it against {@code request.headers}: patterns with quotes, backslashes and control characters stay
 * inside their string literal and mean what the policy says.
 */
class UserAgentRuleTest {

  static final CelCompiler CEL = CelCompilerFactory.standardCelCompilerBuilder()
      .addVar("request", SimpleType.DYN).build();
  static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

  @ParameterizedTest(name = "{0} vs {1}")
  @CsvSource(delimiter = ';', quoteCharacter = '"', nullValues = "<absent>", value = {
      "(?i)(sqlmap|nikto)      ; sqlmap/1.7.2#stable      ; true",
      "(?i)(sqlmap|nikto)      ; Mozilla/5.0 (X11)         ; false",
      "(?i)(sqlmap|nikto)      ; Nikto/2.5                 ; true",
      "^$                      ; <absent>                  ; true",
      "^$                      ; curl/8.0                  ; false",
      "^curl/                  ; curl/8.0                  ; true",
      "^curl/                  ; my-curl/8.0               ; false",
      "it's                    ; it's a bot                ; true",
      "x'\\) \\|\\| true \\|\\| \\('x ; Mozilla/5.0          ; false",
      "x'\\) \\|\\| true \\|\\| \\('x ; x') || true || ('x   ; true",
      "\\d+\\.\\d+             ; Bot 1.2                   ; true",
      "\\d+\\.\\d+             ; Bot 12                    ; false",
  })
  void theExpressionMatchesWhatThePatternSays(String pattern, String userAgent, boolean denied) throws Exception {
    String expr = EnvoyGatewayPolicies.userAgentMatches(pattern.strip());
    var ast = CEL.compile(expr).getAst();
    Map<String, Object> headers = userAgent == null ? Map.of("accept", "*/*")
        : Map.of("user-agent", userAgent.strip(), "accept", "*/*");
    Object result = RUNTIME.createProgram(ast).eval(Map.of("request", Map.of("headers", headers)));
    assertThat(result).as(expr).isEqualTo(denied);
  }
}

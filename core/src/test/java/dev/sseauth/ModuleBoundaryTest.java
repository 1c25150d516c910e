package dev.sseauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The public API is what the core exports, and a decision comes from the core only: code outside the
 * core, as a module or on the class path, cannot reach {@code dev.sseauth.internal} nor create an
 * {@code Allowed} or a {@code Denied}. Proven by compiling such code with the JDK's compiler.
 */
class ModuleBoundaryTest {
  @TempDir
  Path dir;

  private static String location(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The core's own classes (a module: they hold module-info.class) and its two dependencies. */
  private static String modulePath() {
    return String.join(java.io.File.pathSeparator, location(SseAuth.class), location(SignedJWT.class),
        location(Caffeine.class));
  }

  private record Result(boolean ok, String diagnostics) {}

  private Result compile(boolean asModule, String className, String source) throws IOException {
    String tag = className + (asModule ? "-module" : "-classpath");
    Path src = dir.resolve("src-" + tag);
    Path file = src.resolve("outside/" + className + ".java");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "package outside;\n" + source);
    List<String> args = new ArrayList<>(List.of("-d", dir.resolve("out-" + tag).toString(), "-proc:none"));
    List<String> files = new ArrayList<>(List.of(file.toString()));
    if (asModule) {
      Path info = src.resolve("module-info.java");
      Files.writeString(info, "module outside { requires dev.sseauth.core; }\n");
      files.add(info.toString());
      args.addAll(List.of("--module-path", modulePath()));
    } else {
      args.addAll(List.of("-classpath", modulePath()));
    }
    args.addAll(files);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter err = new StringWriter();
    int rc = javac.run(null, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()),
        new java.io.PrintStream(new java.io.OutputStream() {
          @Override
          public void write(int b) {
            err.write(b);
          }
        }), args.toArray(String[]::new));
    return new Result(rc == 0, err.toString());
  }

  @Test
  void coreIsAModuleExportingOnlyItsPublicPackages() {
    Module m = SseAuth.class.getModule();
    // on the class path the classes are unnamed; the descriptor is what a module-path user gets
    java.lang.module.ModuleDescriptor d = java.lang.module.ModuleFinder.of(Path.of(location(SseAuth.class)))
        .find("dev.sseauth.core").orElseThrow().descriptor();
    assertThat(d.exports().stream().map(e -> e.source() + (e.isQualified() ? " to " + e.targets() : ""))
        .collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("dev.sseauth", "dev.sseauth.adapter", "dev.sseauth.spi");
    assertThat(d.packages()).contains("dev.sseauth.internal");
    assertThat(m).isNotNull();
  }

  @Test
  void aModuleUsingThePublicApiCompiles() throws IOException {
    String ok = """
        import dev.sseauth.*;
        import dev.sseauth.adapter.*;
        public class Uses {
          Reply r = Reason.NO_CREDENTIALS.reply();
          SseAuthConfig c = SseAuthConfig.builder().build();
        }
        """;
    for (boolean asModule : new boolean[] {true, false}) {
      Result r = compile(asModule, "Uses", ok);
      assertThat(r.ok()).as("module=%s: %s", asModule, r.diagnostics()).isTrue();
    }
  }

  @Test
  void internalPackageIsNotVisibleToAModule() throws IOException {
    Result r = compile(true, "Reaches", """
        public class Reaches {
          Object o = dev.sseauth.internal.Outcomes.denied(dev.sseauth.Reason.NO_CREDENTIALS);
        }
        """);
    assertThat(r.ok()).isFalse();
    assertThat(r.diagnostics()).contains("dev.sseauth.internal").contains("is not visible");
  }

  @Test
  void allowedCannotBeCreatedOutsideTheCore() throws IOException {
    for (boolean asModule : new boolean[] {true, false}) {
      Result r = compile(asModule, "Forges", """
          public class Forges {
            dev.sseauth.adapter.Allowed a = new dev.sseauth.adapter.Allowed(null, "", null, new byte[0], false, null);
          }
          """);
      assertThat(r.ok()).as("module=%s", asModule).isFalse();
      assertThat(r.diagnostics()).contains("private access");
    }
  }

  @Test
  void deniedCannotBeCreatedOutsideTheCore() throws IOException {
    for (boolean asModule : new boolean[] {true, false}) {
      Result r = compile(asModule, "ForgesDenied", """
          public class ForgesDenied {
            Object d = new dev.sseauth.Denied(dev.sseauth.Reason.NO_CREDENTIALS);
          }
          """);
      assertThat(r.ok()).as("module=%s", asModule).isFalse();
      assertThat(r.diagnostics()).contains("private access");
    }
  }

  @Test
  void neitherCanBeSubclassedToForgeOne() throws IOException {
    Result r = compile(false, "Subclass", """
        public class Subclass extends dev.sseauth.Denied {}
        """);
    assertThat(r.ok()).isFalse();
    assertThat(r.diagnostics()).contains("final");
  }
}

package dev.sseauth.demo;

import dev.sseauth.testing.fixtures.Chromium;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The two real browsers, headless, started as plain processes on a URL (no WebDriver), each with a fresh
 * profile; {@link Handle#close()} kills the whole process tree. Chromium also exposes the DevTools
 * protocol on a local port, used only to take screenshots.
 */
enum Browser {
  CHROMIUM("chromium"),
  FIREFOX("firefox-esr");

  private final String command;

  Browser(String command) {
    this.command = command;
  }

  /** A started browser. */
  static final class Handle implements AutoCloseable {
    private final Browser browser;
    private final Process process;
    private final Path profile;
    private final Path log;

    Handle(Browser browser, Process process, Path profile, Path log) {
      this.browser = browser;
      this.process = process;
      this.profile = profile;
      this.log = log;
    }

    /** The last part of the browser's output, for failure messages. */
    String output() {
      try {
        String s = Files.readString(log, StandardCharsets.UTF_8);
        return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
      } catch (IOException e) {
        return "(no output: " + e + ")";
      }
    }

    /** A PNG of the page whose URL contains {@code urlPart} (Chromium only). */
    byte[] screenshot(String urlPart) throws Exception {
      if (browser != CHROMIUM) {
        throw new UnsupportedOperationException("screenshots are taken in Chromium");
      }
      try (Chromium devTools = Chromium.attach(profile, urlPart)) {
        Object data = devTools.send("Page.captureScreenshot", "{\"format\":\"png\"}", Duration.ofSeconds(20)).get("data");
        if (!(data instanceof String png)) {
          throw new AssertionError("no screenshot from Chromium");
        }
        return Base64.getDecoder().decode(png);
      }
    }

    @Override
    public void close() {
      Chromium.closeBrowser(process, profile);
    }

    @Override
    public String toString() {
      return browser.command;
    }
  }

  /** Whether the browser's command is installed. */
  boolean installed() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  /** Starts the browser on {@code url}; its output goes to {@code target/browser-logs/<name>.log}. */
  Handle open(String url, String name) throws IOException {
    if (!installed()) {
      throw new AssertionError(command + " is not installed: run scripts/test.sh (it installs Debian's "
          + "chromium and firefox-esr packages)");
    }
    Path profile = Files.createTempDirectory("sse-auth-" + name() .toLowerCase() + "-");
    Path logs = Path.of("target", "browser-logs");
    Files.createDirectories(logs);
    Path log = logs.resolve(name + ".log");
    List<String> cmd = new ArrayList<>();
    cmd.add(command);
    if (this == CHROMIUM) {
      cmd.addAll(List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--disable-dev-shm-usage", "--remote-debugging-port=0", "--window-size=1360,1000",
          "--user-data-dir=" + profile, url));
    } else {
      Files.writeString(profile.resolve("user.js"), String.join("\n",
          "user_pref(\"browser.shell.checkDefaultBrowser\", false);",
          "user_pref(\"browser.startup.homepage_override.mstone\", \"ignore\");",
          "user_pref(\"startup.homepage_welcome_url\", \"\");",
          "user_pref(\"browser.aboutwelcome.enabled\", false);",
          "user_pref(\"datareporting.policy.dataSubmissionEnabled\", false);",
          "user_pref(\"datareporting.healthreport.uploadEnabled\", false);",
          "user_pref(\"toolkit.telemetry.reportingpolicy.firstRun\", false);",
          "user_pref(\"app.normandy.enabled\", false);",
          "user_pref(\"app.update.auto\", false);",
          "user_pref(\"extensions.update.enabled\", false);",
          "user_pref(\"network.captive-portal-service.enabled\", false);",
          "user_pref(\"network.connectivity-service.enabled\", false);",
          "user_pref(\"browser.safebrowsing.malware.enabled\", false);",
          "user_pref(\"browser.safebrowsing.phishing.enabled\", false);",
          "user_pref(\"browser.safebrowsing.downloads.enabled\", false);",
          "user_pref(\"network.proxy.type\", 0);", ""));
      cmd.addAll(List.of("--headless", "--no-remote", "--profile", profile.toString(), url));
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("MOZ_CRASHREPORTER_DISABLE", "1");
    return new Handle(this, pb.start(), profile, log);
  }

  /** Milliseconds as a Duration, for readability at call sites. */
  static Duration ms(long ms) {
    return Duration.ofMillis(ms);
  }
}

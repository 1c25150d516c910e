package dev.sseauth.servlet.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Collects the {@code sseauth.*} settings of a filter created by class name, in increasing precedence:
 * the properties file named by init-param {@code config-file}, the {@code sseauth.*} init-params, then
 * the environment and system properties. Stateless.
 */
public final class FilterSettings {
  /** The init-param naming a properties file: a file path or {@code classpath:resource}. */
  public static final String CONFIG_FILE = "config-file";

  private FilterSettings() {}

  /**
   * Merges the sources.
   *
   * @throws IllegalArgumentException on an init-param that is neither {@code config-file} nor an
   *     {@code sseauth.*} key (named, its value never shown: it may be a credential under a wrong name), or
   *     a config file that cannot be read, naming it
   */
  public static Map<String, String> collect(Map<String, String> initParams, ClassLoader loader,
      Map<String, String> env, Properties system) {
    Map<String, String> out = new LinkedHashMap<>();
    String file = initParams.get(CONFIG_FILE);
    if (file != null && !file.isBlank()) {
      Properties p = load(file.trim(), loader);
      for (String name : p.stringPropertyNames()) {
        if (name.startsWith("sseauth.")) {
          out.put(name, p.getProperty(name));
        }
      }
    }
    for (Map.Entry<String, String> e : initParams.entrySet()) {
      String name = e.getKey();
      if (name.equals(CONFIG_FILE)) {
        continue;
      }
      if (!name.startsWith("sseauth.")) {
        throw new IllegalArgumentException("unknown init-param " + name + "; SseAuthFilter takes " + CONFIG_FILE
            + " and sseauth.* keys");
      }
      out.put(name, e.getValue());
    }
    out.putAll(dev.sseauth.SseAuthConfig.fromEnvironment(env, system));
    return out;
  }

  private static Properties load(String file, ClassLoader loader) {
    Properties p = new Properties();
    if (file.startsWith("classpath:")) {
      String resource = file.substring("classpath:".length());
      while (resource.startsWith("/")) {
        resource = resource.substring(1);
      }
      try (InputStream in = loader.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalArgumentException("init-param " + CONFIG_FILE + " names no resource on the class path: '"
              + file + "'");
        }
        p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new IllegalArgumentException("init-param " + CONFIG_FILE + " cannot be read: '" + file + "' (" + e + ")");
      }
    } else {
      try (Reader r = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
        p.load(r);
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("init-param " + CONFIG_FILE + " cannot be read: '" + file + "' (" + e + ")");
      }
    }
    return p;
  }
}

package dev.sseauth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The project's Markdown documentation holds together: every relative link of the README,
 * CONTRIBUTING.md, SECURITY.md, {@code docs/*.md} and the module READMEs names a file that exists, and
 * every {@code #anchor} names a heading of its target (GitHub's slugs: lower case, spaces to '-',
 * punctuation other than '-' and '_' dropped, "-1", "-2" for repeats). Absolute links (http, https,
 * mailto) are not fetched. Links inside code blocks and code spans are not links. The README stays a
 * door: at most 220 lines.
 *
 * <p>Runs from the core module's directory (surefire's working directory), so the repository root is
 * {@code ..}.
 */
class DocsLinksTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final int README_MAX_LINES = 220;

  private static final Pattern FENCE = Pattern.compile("^\\s*(`{3,}|~{3,})");
  private static final Pattern CODE_SPAN = Pattern.compile("(`+)(.+?)\\1");
  private static final Pattern INLINE_LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
  private static final Pattern REFERENCE_DEFINITION = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s.*)?$");
  private static final Pattern HTML_LINK = Pattern.compile("(?:href|src)\\s*=\\s*\"([^\"]*)\"");
  private static final Pattern ATX_HEADING = Pattern.compile("^ {0,3}#{1,6}(?:\\s+(.*?))?(?:\\s+#+)?\\s*$");
  private static final Pattern SETEXT_UNDERLINE = Pattern.compile("^ {0,3}(?:=+|-+)\\s*$");
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:|^//");
  private static final Pattern LINE_ANCHOR = Pattern.compile("L\\d+(?:-L\\d+)?");

  @Test
  void readmeWhenCountedThenAtMost220Lines() throws IOException {
    List<String> lines = Files.readAllLines(ROOT.resolve("README.md"), StandardCharsets.UTF_8);

    assertThat(lines.size()).as("README.md lines (a door, not a manual: move detail into docs/)")
        .isLessThanOrEqualTo(README_MAX_LINES);
  }

  @Test
  void linksWhenRelativeThenTargetFileAndHeadingExist() throws IOException {
    List<Path> documents = documents();
    Checked checked = check(ROOT, documents);

    assertThat(documents).as("documents checked").contains(
        ROOT.resolve("README.md"), ROOT.resolve("CONTRIBUTING.md"), ROOT.resolve("SECURITY.md"),
        ROOT.resolve("benchmarks/README.md"), ROOT.resolve("redis-store/README.md"),
        ROOT.resolve("jdbc-store/README.md"), ROOT.resolve("docs/configuration.md"));
    assertThat(checked.relativeLinks()).as("relative links found (the checker reads something)").isGreaterThan(20);
    assertThat(checked.problems()).as("broken relative links").isEmpty();
  }

  @Test
  void slugWhenHeadingHasCodePunctuationAndLinksThenGithubRules() {
    assertThat(slug("The Redis store (`sse-auth-redis`)")).isEqualTo("the-redis-store-sse-auth-redis");
    assertThat(slug("Set-up: two commands")).isEqualTo("set-up-two-commands");
    assertThat(slug("web.xml")).isEqualTo("webxml");
    assertThat(slug("The guarantees, and the conditions they hold under"))
        .isEqualTo("the-guarantees-and-the-conditions-they-hold-under");
    assertThat(slug("Without the helper: plain `EventSource`")).isEqualTo("without-the-helper-plain-eventsource");
    assertThat(slug("See [the table](x.md#y) — now")).isEqualTo("see-the-table--now");
    assertThat(slug("key_name 2×")).isEqualTo("key_name-2");
  }

  @Test
  void checkWhenFileOrAnchorIsMissingThenReportsExactlyThose(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("a.md"), String.join("\n",
        "# Title",
        "## Part one",
        "## Part one",
        "See [b](b.md#there), [b again](./b.md), [own](#part-one-1), [site](https://example.com/x.md#nope),",
        "[mail](mailto:someone@example.com), ![pic](pic.png), [dir](sub/) and `[code](missing-in-code.md)`.",
        "Broken: [gone](gone.md), [bad anchor](b.md#nowhere), [own bad](#part-two), [png anchor](pic.png#x).",
        "[ref]: b.md#there",
        "<a href=\"gone-too.md\">html</a>",
        "```",
        "[fenced](missing-in-fence.md)",
        "```",
        ""));
    Files.writeString(dir.resolve("b.md"), "Intro\n\nThere\n-----\n\n```\n# not a heading\n```\n");
    Files.write(dir.resolve("pic.png"), new byte[] {1});
    Files.createDirectory(dir.resolve("sub"));

    Checked checked = check(dir, List.of(dir.resolve("a.md"), dir.resolve("b.md")));

    assertThat(checked.problems()).containsExactly(
        "a.md:6: gone.md: no such file",
        "a.md:6: b.md#nowhere: no heading 'nowhere' in b.md",
        "a.md:6: #part-two: no heading 'part-two' in a.md",
        "a.md:6: pic.png#x: an anchor on a file that is not Markdown",
        "a.md:8: gone-too.md: no such file");
    assertThat(anchors(dir.resolve("b.md"))).containsExactly("there");
  }

  /** README, CONTRIBUTING, SECURITY, docs/*.md and every module's README. */
  private static List<Path> documents() throws IOException {
    List<Path> documents = new ArrayList<>();
    for (String name : List.of("README.md", "CONTRIBUTING.md", "SECURITY.md")) {
      documents.add(ROOT.resolve(name));
    }
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().forEach(documents::add);
    }
    try (Stream<Path> modules = Files.list(ROOT)) {
      modules.filter(Files::isDirectory).map(d -> d.resolve("README.md")).filter(Files::isRegularFile).sorted()
          .forEach(documents::add);
    }
    return documents;
  }

  /** What {@link #check} found: how many relative links it followed, and the broken ones. */
  private record Checked(int relativeLinks, List<String> problems) {}

  /** Follows every relative link of {@code documents}; each problem reads {@code file:line: link: why}. */
  private static Checked check(Path root, List<Path> documents) {
    List<String> problems = new ArrayList<>();
    Map<Path, Set<String>> anchorCache = new HashMap<>();
    int relative = 0;
    for (Path document : documents) {
      if (!Files.isRegularFile(document)) {
        problems.add(root.relativize(document) + ": the document is missing");
        continue;
      }
      List<String> lines = readLines(document);
      String fence = null;
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        Matcher f = FENCE.matcher(line);
        if (f.find()) {
          String marker = f.group(1);
          if (fence == null) {
            fence = marker;
            continue;
          }
          if (marker.charAt(0) == fence.charAt(0) && marker.length() >= fence.length()
              && line.trim().equals(marker)) {
            fence = null;
            continue;
          }
        }
        if (fence != null) {
          continue;
        }
        String text = CODE_SPAN.matcher(line).replaceAll("");
        for (String target : targets(text)) {
          if (target.isEmpty() || SCHEME.matcher(target).find()) {
            continue;
          }
          relative++;
          String problem = problem(root, document, target, anchorCache);
          if (problem != null) {
            problems.add(root.relativize(document).toString().replace('\\', '/') + ":" + (i + 1) + ": " + target
                + ": " + problem);
          }
        }
      }
    }
    return new Checked(relative, problems);
  }

  private static List<String> targets(String line) {
    List<String> targets = new ArrayList<>();
    for (Pattern p : List.of(INLINE_LINK, REFERENCE_DEFINITION, HTML_LINK)) {
      Matcher m = p.matcher(line);
      while (m.find()) {
        targets.add(m.group(1));
      }
    }
    return targets;
  }

  /** Why {@code target}, linked from {@code document}, is broken; null if it resolves. */
  private static String problem(Path root, Path document, String target, Map<Path, Set<String>> anchorCache) {
    int hash = target.indexOf('#');
    String pathPart = hash < 0 ? target : target.substring(0, hash);
    String anchor = hash < 0 ? null : URLDecoder.decode(target.substring(hash + 1), StandardCharsets.UTF_8);
    Path file;
    if (pathPart.isEmpty()) {
      file = document;
    } else {
      String decoded = URLDecoder.decode(pathPart.replace("+", "%2B"), StandardCharsets.UTF_8);
      file = (decoded.startsWith("/") ? root.resolve(decoded.substring(1)) : document.getParent().resolve(decoded))
          .normalize();
      if (!file.startsWith(root)) {
        return "points outside the repository";
      }
      if (!Files.exists(file)) {
        return "no such file";
      }
    }
    if (anchor == null || anchor.isEmpty()) {
      return null;
    }
    if (!file.getFileName().toString().endsWith(".md") || Files.isDirectory(file)) {
      return LINE_ANCHOR.matcher(anchor).matches() ? null : "an anchor on a file that is not Markdown";
    }
    Set<String> anchors = anchorCache.computeIfAbsent(file, DocsLinksTest::anchors);
    return anchors.contains(anchor) ? null : "no heading '" + anchor + "' in " + file.getFileName();
  }

  /** The anchors GitHub gives the headings of a Markdown file, in order. */
  private static Set<String> anchors(Path file) {
    Set<String> anchors = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    List<String> lines = readLines(file);
    String fence = null;
    String previous = "";
    for (String line : lines) {
      Matcher f = FENCE.matcher(line);
      if (f.find()) {
        String marker = f.group(1);
        if (fence == null) {
          fence = marker;
        } else if (marker.charAt(0) == fence.charAt(0) && marker.length() >= fence.length()
            && line.trim().equals(marker)) {
          fence = null;
        }
        previous = "";
        continue;
      }
      if (fence != null) {
        continue;
      }
      String heading = null;
      Matcher atx = ATX_HEADING.matcher(line);
      if (atx.matches()) {
        heading = atx.group(1) == null ? "" : atx.group(1);
      } else if (SETEXT_UNDERLINE.matcher(line).matches() && !previous.isBlank()
          && !ATX_HEADING.matcher(previous).matches()) {
        heading = previous.trim();
      }
      if (heading != null) {
        String slug = slug(heading);
        int n = seen.merge(slug, 1, Integer::sum) - 1;
        anchors.add(n == 0 ? slug : slug + "-" + n);
        previous = "";
      } else {
        previous = line;
      }
    }
    return anchors;
  }

  /** GitHub's anchor for a heading: its text lower-cased, spaces to '-', other punctuation dropped. */
  static String slug(String heading) {
    String text = heading.trim()
        .replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1") // a link shows its text
        .replaceAll("<[^>]+>", "") // HTML tags show nothing
        .toLowerCase(Locale.ROOT);
    StringBuilder slug = new StringBuilder();
    text.codePoints().forEach(c -> {
      if (c == ' ') {
        slug.append('-');
      } else if (c == '-' || c == '_' || Character.isLetterOrDigit(c)) {
        slug.appendCodePoint(c);
      }
    });
    return slug.toString();
  }

  private static List<String> readLines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

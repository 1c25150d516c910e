package dev.sseauth.benchmarks.jmh;

import dev.sseauth.benchmarks.Results;
import dev.sseauth.benchmarks.Settings;
import java.nio.file.Path;
import java.util.Collection;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs {@link CoreBenchmarks} with JMH's {@link Runner}; raw results go to {@code jmh.json}. */
public final class JmhRun {
  private JmhRun() {}

  /**
   * Profiles the benchmarks matching {@code regex} (one fork, JMH's stack sampler and GC profiler);
   * the report goes to {@code profile-<regex>.txt}.
   */
  public static void profile(String regex, Path out) throws RunnerException {
    String name = regex.replaceAll("[^A-Za-z0-9]", "_");
    new Runner(new OptionsBuilder()
        .include(CoreBenchmarks.class.getName() + "\\." + regex)
        .forks(1)
        .warmupIterations(3)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(5)
        .measurementTime(TimeValue.seconds(1))
        .jvmArgs("-Xms1g", "-Xmx1g")
        .addProfiler("stack", "lines=12;top=25;detailLine=true")
        .addProfiler("gc")
        .output(out.resolve("profile-" + name + ".txt").toString())
        .build()).run();
  }

  /** Runs every core benchmark and records {@code jmh.<method>} in ns/op. */
  public static void run(Settings s, Path out, Results results) throws RunnerException {
    Collection<RunResult> runs = new Runner(new OptionsBuilder()
        .include(CoreBenchmarks.class.getName() + "\\.")
        .forks(s.jmhForks())
        .warmupIterations(s.jmhWarmups())
        .warmupTime(TimeValue.milliseconds(s.jmhIterationMs()))
        .measurementIterations(s.jmhIterations())
        .measurementTime(TimeValue.milliseconds(s.jmhIterationMs()))
        .threads(1)
        .shouldFailOnError(true)
        .jvmArgs("-Xms1g", "-Xmx1g")
        .result(out.resolve("jmh.json").toString())
        .resultFormat(ResultFormatType.JSON)
        .output(out.resolve("jmh.log").toString())
        .build()).run();
    for (RunResult r : runs) {
      String label = r.getParams().getBenchmark();
      String method = label.substring(label.lastIndexOf('.') + 1);
      var p = r.getPrimaryResult();
      results.put("jmh." + method, p.getScore(), p.getScoreError(), p.getScoreUnit());
    }
  }
}

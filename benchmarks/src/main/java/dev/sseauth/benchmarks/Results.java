package dev.sseauth.benchmarks;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The numbers of one run, by key (such as {@code jmh.judgeReconnect} or
 * {@code load.netty.SSEAUTH.reconnect}). Each value has a range: for JMH the 99.9% interval
 * (value ± error); for the load and storm runs the lowest and highest round, with the per-round values
 * kept so that the report can pair a variant's round with its baseline's; for the browser the median ±
 * half the interquartile range. Not thread-safe.
 */
public final class Results {
  /**
   * One measurement.
   *
   * @param value the figure shown: JMH average, median over rounds or runs
   * @param error half-width of its range around {@code value} (0 if unknown), as in the report
   * @param unit its unit
   * @param low the lower end of its range
   * @param high the upper end of its range
   * @param rounds the per-round values, index = round (NaN where a round failed); empty if not measured in rounds
   */
  public record Value(double value, double error, String unit, double low, double high, List<Double> rounds) {
    public Value {
      rounds = List.copyOf(rounds);
    }
  }

  private final Map<String, Value> values = new LinkedHashMap<>();
  private final Map<String, String> notes = new LinkedHashMap<>();
  private List<String> servers = List.of();

  /** Records {@code key} as {@code value ± error}, replacing an earlier value. */
  public void put(String key, double value, double error, String unit) {
    double e = Double.isFinite(error) ? Math.abs(error) : 0;
    values.put(key, new Value(value, e, unit, value - e, value + e, List.of()));
  }

  /**
   * Records {@code key} from one value per round (NaN for a round that produced none): the median of
   * the finite ones, their lowest and highest, and the rounds themselves.
   */
  public void putRounds(String key, List<Double> perRound, String unit) {
    List<Double> sorted = new ArrayList<>();
    for (double d : perRound) {
      if (Double.isFinite(d)) {
        sorted.add(d);
      }
    }
    if (sorted.isEmpty()) {
      return;
    }
    Collections.sort(sorted);
    double median = median(sorted);
    double lo = sorted.get(0);
    double hi = sorted.get(sorted.size() - 1);
    values.put(key, new Value(median, (hi - lo) / 2, unit, lo, hi, perRound));
  }

  /** The median of an ascending, non-empty list. */
  public static double median(List<Double> sorted) {
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** The value of {@code key}, or null if it was not measured. */
  public Value get(String key) {
    return values.get(key);
  }

  /** Every value, in the order recorded. */
  public Map<String, Value> all() {
    return values;
  }

  /** Adds a remark shown under the table (errors seen, things skipped). */
  public void note(String key, String text) {
    notes.put(key, text);
  }

  /** The remarks. */
  public Map<String, String> notes() {
    return notes;
  }

  /** Records the servers the load, storm, jitter and heap parts ran on (keys of {@code LoadRun.SERVERS}). */
  public void servers(List<String> servers) {
    this.servers = List.copyOf(servers);
  }

  /** The servers the load, storm, jitter and heap parts ran on; empty if those parts did not run. */
  public List<String> servers() {
    return servers;
  }

  /**
   * As a JSON object {@code {"values":{key:{value,error,unit,low,high,rounds}},"notes":{..},"servers":[..]}},
   * {@code servers} only when the load parts ran.
   */
  public String toJson() {
    Map<String, Object> v = new LinkedHashMap<>();
    values.forEach((k, x) -> {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("value", finite(x.value()));
      o.put("error", finite(x.error()));
      o.put("unit", x.unit());
      o.put("low", finite(x.low()));
      o.put("high", finite(x.high()));
      if (!x.rounds().isEmpty()) {
        List<Object> rounds = new ArrayList<>();
        x.rounds().forEach(d -> rounds.add(finite(d)));
        o.put("rounds", rounds);
      }
      v.put(k, o);
    });
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("values", v);
    m.put("notes", new LinkedHashMap<>(notes));
    if (!servers.isEmpty()) {
      m.put("servers", new ArrayList<>(servers));
    }
    return JSONObjectUtils.toJSONString(m);
  }

  private static Double finite(double d) {
    return Double.isFinite(d) ? d : null;
  }
}

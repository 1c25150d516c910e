package dev.sseauth.benchmarks;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The numbers of one run, by key (such as {@code jmh.judgeReconnect} or
 * {@code load.netty.SSEAUTH.reconnect}): a value, its error (half-width of the 99.9% interval for
 * JMH; the spread between rounds for load runs; 0 if unknown) and its unit. Not thread-safe.
 */
public final class Results {
  /** One measurement. */
  public record Value(double value, double error, String unit) {}

  private final Map<String, Value> values = new LinkedHashMap<>();
  private final Map<String, String> notes = new LinkedHashMap<>();

  /** Records {@code key}, replacing an earlier value. */
  public void put(String key, double value, double error, String unit) {
    values.put(key, new Value(value, error, unit));
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

  /** As a JSON object {@code {"values":{key:{value,error,unit}},"notes":{..}}}. */
  public String toJson() {
    Map<String, Object> v = new LinkedHashMap<>();
    values.forEach((k, x) -> {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("value", Double.isFinite(x.value()) ? x.value() : null);
      o.put("error", Double.isFinite(x.error()) ? x.error() : null);
      o.put("unit", x.unit());
      v.put(k, o);
    });
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("values", v);
    m.put("notes", new LinkedHashMap<>(notes));
    return JSONObjectUtils.toJSONString(m);
  }
}

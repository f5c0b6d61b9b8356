package dev.sluice.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One-line messages for configuration errors that name the full key. Settings classes read their
 * subtree ({@code root.getConfig("sluice.http")}), so Typesafe Config's own messages name the key
 * relative to it ("Invalid value at 'long-poll-timeout'"); the full key is found again as the one
 * with that suffix whose value comes from the same place (file and line) as the bad value.
 */
final class ConfigErrors {
  /** The relative path in Typesafe Config's BadValue, WrongType, Missing and Null messages. */
  private static final Pattern PATH = Pattern.compile(
      "Invalid value at '([^']+)'|: ([^\\s:']+) has type |for key '([^']+)'|Configuration key '([^']+)' is set to null");

  private ConfigErrors() {}

  static String describe(RuntimeException e, Config config) {
    String message = Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
    if (e instanceof ConfigException ce && ce.origin() != null && config != null) message = qualify(message, ce.origin(), config);
    return oneLine(message);
  }

  static String oneLine(String message) {
    return message.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  private static String qualify(String message, ConfigOrigin origin, Config config) {
    Matcher m = PATH.matcher(message);
    if (!m.find()) return message;
    int group = 1;
    while (m.group(group) == null) group++;
    String relative = m.group(group);
    List<String> keys = config.entrySet().stream().map(Map.Entry::getKey)
        .filter(k -> k.endsWith("." + relative) && sameOrigin(config.getValue(k).origin(), origin))
        .toList();
    if (keys.size() != 1) return message;
    return message.substring(0, m.start(group)) + keys.get(0) + message.substring(m.end(group));
  }

  private static boolean sameOrigin(ConfigOrigin a, ConfigOrigin b) {
    return a != null && a.description().equals(b.description());
  }
}

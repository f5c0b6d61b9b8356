package dev.sluice.server;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line for an operator when a node that passed its configuration checks still cannot start
 * (README "Operating"): the HTTP or management port is taken, or another process holds the data
 * directory. Pure. Causes it does not know get their class and message (Main adds the stack trace).
 */
final class StartFailures {
  private static final Pattern ENDPOINT = Pattern.compile("\\[/?([^\\]]+)]");

  private StartFailures() {}

  /** The line for {@code failure}, or null when it is not one of the known causes. */
  static String describe(Throwable failure, String dataDir) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String message = String.valueOf(t.getMessage());
      if (t instanceof java.net.BindException || message.contains("Bind failed")) {
        Matcher m = ENDPOINT.matcher(message);
        String where = m.find() ? m.group(1) : "its port";
        return "cannot listen on " + where + ": " + (message.contains("in use") ? "address already in use (another process"
            + " listens there); stop it or choose another port (--port, --management-port)" : message);
      }
      if (t.getClass().getName().equals("org.rocksdb.RocksDBException") && message.contains("lock")) {
        return "the data directory " + dataDir + " is in use by another process (RocksDB holds a lock on it);"
            + " stop that process or choose another --data-dir";
      }
    }
    return null;
  }

  /** The innermost cause's class and message, for a failure {@link #describe} does not know. */
  static String unknown(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    return root == failure ? String.valueOf(failure) : failure + " (caused by " + root + ")";
  }
}

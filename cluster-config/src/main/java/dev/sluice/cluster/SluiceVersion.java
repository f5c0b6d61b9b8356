package dev.sluice.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version of this Sluice build, from {@code sluice/version.properties} (written by the build).
 * {@code bin/sluice --version} prints it; a node announces it as its cluster app-version.
 */
public final class SluiceVersion {
  private static final String RESOURCE = "sluice/version.properties";
  private static final String VERSION = load();

  private SluiceVersion() {}

  /** For example {@code 0.1.0-SNAPSHOT}. */
  public static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = SluiceVersion.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the classpath (a broken build)");
      var p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "");
      if (v.isBlank() || v.contains("${")) throw new IllegalStateException(RESOURCE + " was not filled in by the build: '" + v + "'");
      return v;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package dev.sluice.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a node process costs, read from outside it as an operator would: CPU time from
 * {@code /proc/<pid>/stat}, and the live heap after a full GC from the JDK's {@code jcmd}.
 */
public final class ProcessStats {
  private static final Pattern USED = Pattern.compile("used (\\d+)K");

  private ProcessStats() {}

  /** User + system CPU time of the process so far, in seconds (Linux only). */
  public static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII);
      // Fields after the ")" that closes the command name: state is field 3; utime 14, stime 15.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return ticks / 100.0; // USER_HZ is 100 on Linux
    } catch (IOException e) {
      throw new IllegalStateException("cannot read CPU time of pid " + pid, e);
    }
  }

  /** Heap in use right after a full GC, in MiB: what the process really retains. */
  public static double liveHeapMiB(long pid) {
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    long kib = 0;
    for (String line : info.split("\n")) {
      // Serial GC (NodeProcess.DEFAULT_JVM_OPTS): "def new generation ... used NK", "tenured generation ...".
      if (line.contains(" generation ")) {
        Matcher m = USED.matcher(line);
        if (m.find()) kib += Long.parseLong(m.group(1));
      }
    }
    if (kib == 0) throw new IllegalStateException("no heap figures in jcmd output:\n" + info);
    return kib / 1024.0;
  }

  private static String jcmd(long pid, String command) {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    try {
      Process p = new ProcessBuilder(List.of(jcmd, Long.toString(pid), command)).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("jcmd " + command + " failed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + jcmd, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running jcmd");
    }
  }
}

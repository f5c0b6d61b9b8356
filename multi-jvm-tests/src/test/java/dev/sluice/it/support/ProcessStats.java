package dev.sluice.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a node process costs, read from outside it as an operator would: CPU time from
 * {@code /proc/<pid>/task/<tid>/stat}, and the live heap after a full GC from the JDK's {@code jcmd}.
 */
public final class ProcessStats {
  private static final Pattern USED = Pattern.compile("used (\\d+)K");

  private ProcessStats() {}

  /**
   * CPU seconds per thread name (threads of one name summed), from {@code /proc/<pid>/task}. Lets a
   * test tell work the application does from the JIT compilers finishing queued compilations.
   */
  public static Map<String, Double> cpuSecondsByThread(long pid) {
    Map<String, Double> byName = new TreeMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
        } catch (IOException gone) {
          continue; // the thread ended between the listing and the read
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        double secs = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        byName.merge(name, secs, Double::sum);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read threads of pid " + pid, e);
    }
    return byName;
  }

  /** Whether a thread name (as the kernel shows it, 15 characters) is one of HotSpot's JIT compilers. */
  public static boolean isJitCompiler(String threadName) {
    return threadName.startsWith("C1 CompilerThre") || threadName.startsWith("C2 CompilerThre");
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

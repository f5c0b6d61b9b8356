package dev.sluice.bench.scenario;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a process's memory from {@code /proc/<pid>/status} (Linux). */
final class ProcStatus {

  private ProcStatus() {}

  /** The field (e.g. {@code VmRSS}, {@code VmHWM}) in bytes, or -1 if the process or field is missing. */
  static long bytes(long pid, String field) {
    if (pid <= 0) return -1;
    try {
      return parseKb(Files.readString(Path.of("/proc", Long.toString(pid), "status")), field);
    } catch (IOException e) {
      return -1;
    }
  }

  /** Parses {@code VmRSS:\t  123456 kB} out of a status file; bytes, or -1. */
  static long parseKb(String status, String field) {
    for (String line : status.split("\n")) {
      if (!line.startsWith(field + ":")) continue;
      String v = line.substring(field.length() + 1).trim();
      String[] parts = v.split("\\s+");
      try {
        long n = Long.parseLong(parts[0]);
        return parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? n * 1024 : n;
      } catch (NumberFormatException e) {
        return -1;
      }
    }
    return -1;
  }
}

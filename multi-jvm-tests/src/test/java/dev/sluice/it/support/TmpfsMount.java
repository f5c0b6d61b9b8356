package dev.sluice.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted for one test, so the test can fill a real filesystem without touching the
 * machine's disks. Needs root (the ITs run as root, in CI too); when mounting is impossible the
 * test fails with a message saying why instead of skipping silently.
 *
 * <p>{@link #close()} unmounts (lazily if something still holds a file open, e.g. a node that did
 * not exit). Not thread-safe.
 */
public final class TmpfsMount implements AutoCloseable {
  private final Path dir;
  private boolean mounted;

  private TmpfsMount(Path dir) {
    this.dir = dir;
  }

  /** Mounts a tmpfs of {@code sizeMiB} MiB at {@code dir} (created if missing). */
  public static TmpfsMount mount(Path dir, int sizeMiB) {
    String uid = run(List.of("id", "-u")).trim();
    if (!uid.equals("0")) {
      throw new AssertionError("this test mounts a " + sizeMiB + " MiB tmpfs to fill a real filesystem and must run"
          + " as root (id -u = " + uid + "); run the ITs as root, as CI does");
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new AssertionError("cannot create mount point " + dir, e);
    }
    TmpfsMount m = new TmpfsMount(dir.toAbsolutePath());
    String out = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + sizeMiB + "m", "tmpfs", m.dir.toString()));
    m.mounted = true;
    if (!out.isBlank()) {
      System.out.println("mount: " + out);
    }
    return m;
  }

  public Path dir() {
    return dir;
  }

  /** Free bytes on the mount, as the node sees them (statvfs). */
  public long usableBytes() {
    try {
      return Files.getFileStore(dir).getUsableSpace();
    } catch (IOException e) {
      throw new AssertionError("statvfs " + dir, e);
    }
  }

  @Override
  public void close() {
    if (!mounted) {
      return;
    }
    mounted = false;
    try {
      run(List.of("umount", dir.toString()));
    } catch (AssertionError e) {
      run(List.of("umount", "-l", dir.toString()));
    }
  }

  private static String run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("'" + String.join(" ", command) + "' did not finish in 30 s");
      }
      if (p.exitValue() != 0) {
        throw new AssertionError("'" + String.join(" ", command) + "' failed (exit " + p.exitValue() + "): " + out.trim());
      }
      return out;
    } catch (IOException e) {
      throw new AssertionError("cannot run '" + String.join(" ", command) + "': " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted running " + command, e);
    }
  }
}

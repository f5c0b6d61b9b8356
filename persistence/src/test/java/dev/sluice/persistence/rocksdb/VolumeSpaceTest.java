package dev.sluice.persistence.rocksdb;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VolumeSpaceTest {
  @TempDir Path tmp;

  @Test
  void reportsTheUsableSpaceOfTheDirectorysVolumeOnEveryCall() throws IOException {
    RocksDbHandle.VolumeSpace space = new RocksDbHandle.VolumeSpace(tmp);
    for (int i = 0; i < 3; i++) {
      long expected = Files.getFileStore(tmp).getUsableSpace();
      long reported = space.usableBytes();
      // Other processes write to the same volume meanwhile: equal up to their writes.
      assertTrue(Math.abs(reported - expected) < 256L * 1024 * 1024, "reported " + reported + ", volume has " + expected);
      assertTrue(reported > 0);
    }
  }

  @Test
  void aDirectoryThatIsNotThereYetFailsAndIsLookedUpAgainLater() throws IOException {
    Path dir = tmp.resolve("later");
    RocksDbHandle.VolumeSpace space = new RocksDbHandle.VolumeSpace(dir);
    assertThrows(IOException.class, space::usableBytes);
    Files.createDirectories(dir);
    assertTrue(space.usableBytes() > 0);
  }
}

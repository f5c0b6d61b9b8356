package dev.sluice.persistence.journal;

import dev.sluice.persistence.support.TestStorage;
import java.nio.file.Path;
import org.apache.pekko.persistence.CapabilityFlag;
import org.apache.pekko.persistence.japi.snapshot.JavaSnapshotStoreSpec;
import org.junit.runner.RunWith;
import org.scalatestplus.junit.JUnitRunner;

/** Pekko's snapshot store TCK against {@link RocksDbSnapshotStore} on a fresh RocksDB directory. */
@RunWith(JUnitRunner.class)
public class RocksDbSnapshotStoreSpec extends JavaSnapshotStoreSpec {
  private static final Path DIR = TestStorage.newDir("snapshot-tck");

  public RocksDbSnapshotStoreSpec() {
    super(TestStorage.config(DIR));
  }

  @Override
  public CapabilityFlag supportsMetadata() {
    return CapabilityFlag.on(); // SnapshotMetadata.metadata is stored as its own serialized blob
  }

  @Override
  public void afterAll() {
    super.afterAll();
    TestStorage.deleteRecursively(DIR);
  }
}

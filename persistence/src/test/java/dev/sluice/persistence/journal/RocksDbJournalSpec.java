package dev.sluice.persistence.journal;

import dev.sluice.persistence.support.TestStorage;
import java.nio.file.Path;
import org.apache.pekko.persistence.CapabilityFlag;
import org.apache.pekko.persistence.japi.journal.JavaJournalSpec;
import org.junit.runner.RunWith;
import org.scalatestplus.junit.JUnitRunner;

/** Pekko's journal TCK against {@link RocksDbJournal} on a fresh RocksDB directory. */
@RunWith(JUnitRunner.class)
public class RocksDbJournalSpec extends JavaJournalSpec {
  private static final Path DIR = TestStorage.newDir("journal-tck");

  public RocksDbJournalSpec() {
    super(TestStorage.config(DIR));
  }

  @Override
  public CapabilityFlag supportsMetadata() {
    return CapabilityFlag.on(); // PersistentRepr metadata is part of the serialized repr
  }

  @Override
  public void afterAll() {
    super.afterAll(); // terminates the ActorSystem, which closes the database
    TestStorage.deleteRecursively(DIR);
  }
}

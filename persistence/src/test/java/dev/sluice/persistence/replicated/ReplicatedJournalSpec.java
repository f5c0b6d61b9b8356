package dev.sluice.persistence.replicated;

import com.typesafe.config.ConfigFactory;
import dev.sluice.persistence.support.TestStorage;
import java.nio.file.Path;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.CapabilityFlag;
import org.apache.pekko.persistence.japi.journal.JavaJournalSpec;
import org.junit.runner.RunWith;
import org.scalatestplus.junit.JUnitRunner;

/**
 * Pekko's journal TCK against the replicated journal plugin ({@code sluice.persistence.replicated-journal})
 * on node 0 of three nodes: the TCK's own ActorSystem is node 0, two more are started beside it (same
 * system name, Artery on loopback, a RocksDB each). The TCK writes without recovering first, so it also
 * exercises the implicit open of a write. ({@code ReplicatedJournalPluginTest} checks that the plugin's
 * writes really land on the replicas.)
 */
@RunWith(JUnitRunner.class)
public class ReplicatedJournalSpec extends JavaJournalSpec {
  private static final Path DIR = TestStorage.newDir("replicated-journal-tck");
  private ReplicatedNodes nodes;

  public ReplicatedJournalSpec() {
    super(ConfigFactory.parseString("pekko.persistence.journal.plugin = \"sluice.persistence.replicated-journal\"")
        .withFallback(ReplicatedNodes.config(DIR)));
  }

  @Override
  public CapabilityFlag supportsMetadata() {
    return CapabilityFlag.on(); // PersistentRepr metadata is part of the serialized repr
  }

  @Override
  public void beforeAll() {
    // Replication must run on all three nodes before the TCK's first write reaches the plugin.
    nodes = ReplicatedNodes.start(system().name(), Adapter.toTyped(system()), DIR);
    super.beforeAll();
  }

  @Override
  public void afterAll() {
    super.afterAll(); // terminates node 0's ActorSystem, which closes its database
    nodes.close();
    TestStorage.deleteRecursively(DIR);
  }
}

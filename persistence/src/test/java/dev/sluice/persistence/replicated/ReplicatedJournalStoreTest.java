package dev.sluice.persistence.replicated;

import dev.sluice.persistence.store.JournalStore;
import dev.sluice.persistence.store.JournalStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The {@link JournalStoreContract} against the replicated store on node 0 of three nodes (real Artery
 * on loopback, real RocksDB). The nodes are shared by the contract's tests, which use distinct streams.
 */
class ReplicatedJournalStoreTest extends JournalStoreContract {
  private static ReplicatedNodes nodes;
  private ReplicatedJournalStore store;

  @BeforeAll
  static void startNodes() {
    nodes = ReplicatedNodes.start();
  }

  @AfterAll
  static void stopNodes() {
    nodes.close();
  }

  @Override
  protected JournalStore openStore() {
    store = nodes.store(0);
    return store;
  }

  @Override
  protected void closeStore() {
    store.close();
  }

  @Override
  protected boolean placementGroupsSupported() {
    return false;
  }
}

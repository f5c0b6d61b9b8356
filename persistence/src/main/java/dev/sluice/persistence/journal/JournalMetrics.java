package dev.sluice.persistence.journal;

import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionId;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * What this node's journal plugin (local or replicated, whichever runs) has acknowledged since the
 * node started: write calls, events, stream data units and their bytes. A write counts once the
 * journal acknowledged it, so on a replicated cluster these are the writes of the streams this node
 * owns, each on a quorum. A Pekko extension (one per ActorSystem); counters only, no locks: the
 * plugin adds to them once per write call (README "Operating", metrics).
 *
 * <p>Thread-safe.
 */
public final class JournalMetrics implements Extension {

  /** The extension id; use {@link #get} instead of this directly. */
  public static final class Id extends AbstractExtensionId<JournalMetrics> implements ExtensionIdProvider {
    public static final Id INSTANCE = new Id();

    private Id() {}

    @Override
    public ExtensionId<JournalMetrics> lookup() {
      return INSTANCE;
    }

    @Override
    public JournalMetrics createExtension(ExtendedActorSystem system) {
      return new JournalMetrics();
    }
  }

  private final LongAdder writes = new LongAdder();
  private final LongAdder failedWrites = new LongAdder();
  private final LongAdder events = new LongAdder();
  private final LongAdder dataUnits = new LongAdder();
  private final LongAdder dataBytes = new LongAdder();

  private JournalMetrics() {}

  public static JournalMetrics get(ActorSystem system) {
    return Id.INSTANCE.get(system);
  }

  public static JournalMetrics get(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    return get(Adapter.toClassic(system));
  }

  void acknowledged(int eventCount, int units, long bytes) {
    writes.increment();
    events.add(eventCount);
    dataUnits.add(units);
    dataBytes.add(bytes);
  }

  void failed() {
    failedWrites.increment();
  }

  /** Journal write calls acknowledged (one per entity persist, which may hold many events). */
  public long writes() {
    return writes.sum();
  }

  /** Journal write calls that failed (outcome unknown or refused; the entity recovers). */
  public long failedWrites() {
    return failedWrites.sum();
  }

  /** Events in acknowledged writes. */
  public long events() {
    return events.sum();
  }

  /** Stream data units (one per appended message or body) in acknowledged writes. */
  public long dataUnits() {
    return dataUnits.sum();
  }

  /** Bytes of stream data in acknowledged writes (as stored, before compression). */
  public long dataBytes() {
    return dataBytes.sum();
  }
}

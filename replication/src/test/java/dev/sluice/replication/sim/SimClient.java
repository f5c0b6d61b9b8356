package dev.sluice.replication.sim;

import dev.sluice.replication.Address;
import dev.sluice.replication.Entry;
import dev.sluice.replication.Message;
import dev.sluice.replication.Message.AppendReply;
import dev.sluice.replication.Message.Appended;
import dev.sluice.replication.Message.ClientAppend;
import dev.sluice.replication.Message.Duplicate;
import dev.sluice.replication.Message.Read;
import dev.sluice.replication.Message.ReadOk;
import dev.sluice.replication.Message.Reason;
import dev.sluice.replication.Message.Rejected;
import dev.sluice.replication.Message.Uncertain;
import dev.sluice.replication.Payload;
import dev.sluice.replication.ProducerStamp;
import dev.sluice.replication.sim.History.Outcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One simulated HTTP client: one request at a time, mixing plain appends, idempotent-producer appends
 * and catch-up reads from any replica. A producer retries an uncertain seq with the same value until it
 * is acked, which is exactly the case where exactly-once can break across a failover.
 */
final class SimClient {
  private static final long TIMEOUT_MILLIS = 700;
  /** The final reads page too, but coarsely: they must finish within the settle phase even for long logs. */
  private static final int FINAL_PAGE = 64;

  private final Simulator sim;
  private final int id;
  private final boolean finalReader;
  private final String producerId;
  private long producerEpoch;
  private long producerSeq;
  private String producerValue;
  private boolean producerRetry;
  private long cursor;
  private long inflight = -1;
  private boolean inflightProducer;
  private int counter;
  private final Map<Long, Integer> finalRequests = new HashMap<>();
  private final Map<Integer, List<Entry>> finalPages = new HashMap<>();

  SimClient(Simulator sim, int id, boolean finalReader) {
    this.sim = sim;
    this.id = id;
    this.finalReader = finalReader;
    this.producerId = "p" + id;
  }

  void wake() {
    if (finalReader || !sim.active() || inflight >= 0) return;
    double r = sim.rnd().nextDouble();
    if (producerRetry && r < 0.5 || r < 0.3) {
      producerAppend();
    } else if (r < 0.7) {
      plainAppend();
    } else {
      read(sim.rnd().nextInt(3));
    }
  }

  private void plainAppend() {
    String value = "c" + id + "-" + (++counter);
    append(value, null);
  }

  private void producerAppend() {
    if (!sim.config().writer().producerDedupe()) {
      plainAppend(); // without the writer's table, exactly-once is the stream entity's job (not simulated)
      return;
    }
    if (!producerRetry) producerValue = "c" + id + "-" + producerId + "e" + producerEpoch + "s" + producerSeq;
    append(producerValue, new ProducerStamp(producerId, producerEpoch, producerSeq));
  }

  private void append(String value, ProducerStamp stamp) {
    long req = sim.newRequestId();
    inflight = req;
    inflightProducer = stamp != null;
    sim.history().invoke(req, id, value, stamp, sim.now());
    sim.send(Address.client(id), Address.writer(sim.routeForClient()), new ClientAppend(req, Payload.utf8(value), stamp));
    sim.later(TIMEOUT_MILLIS, () -> timeout(req));
  }

  private void read(int node) {
    long req = sim.newRequestId();
    inflight = req;
    sim.send(Address.client(id), Address.replica(node),
        Read.committed(Simulator.STREAM, req, cursor, sim.config().readBatch(), sim.config().readBytes()));
    sim.later(TIMEOUT_MILLIS, () -> timeout(req));
  }

  /** After healing: the whole committed log from one replica, page by page (the pages are joined into one final read). */
  void finalRead(int node) {
    finalPages.put(node, new ArrayList<>());
    finalPage(node, 0);
  }

  private void finalPage(int node, long from) {
    long req = sim.newRequestId();
    finalRequests.put(req, node);
    sim.send(Address.client(id), Address.replica(node), Read.committed(Simulator.STREAM, req, from, FINAL_PAGE, Message.MAX_BATCH_BYTES));
  }

  private void onFinalPage(int node, ReadOk r) {
    List<Entry> sofar = finalPages.get(node);
    if (r.fromSeq() != sofar.size()) return; // a duplicate page
    sofar.addAll(r.entries());
    if (!r.entries().isEmpty() && r.nextFrom() < r.upTo()) {
      finalPage(node, r.nextFrom());
    } else {
      sim.history().read(id, node, 0, sofar, sim.now(), true);
    }
  }

  void onMessage(Message m) {
    if (m instanceof ReadOk r) {
      Integer node = finalReader ? finalRequests.remove(r.requestId()) : null;
      if (node != null) {
        onFinalPage(node, r);
        return;
      }
      if (r.requestId() == inflight) {
        sim.history().read(id, r.replica(), r.fromSeq(), r.entries(), sim.now(), false);
        cursor = r.nextFrom();
        done();
      }
    } else if (m instanceof AppendReply a) {
      onAppendReply(a);
    } else if (m instanceof Message.ReadUnavailable u && u.requestId() == inflight) {
      done();
    }
  }

  private void onAppendReply(AppendReply a) {
    if (a.requestId() != inflight) return; // a late answer after our timeout already said "unknown"
    History h = sim.history();
    long now = sim.now();
    if (a instanceof Appended ok) {
      h.complete(a.requestId(), Outcome.OK, ok.offset(), null, now);
      producerAcked();
    } else if (a instanceof Duplicate d) {
      h.complete(a.requestId(), Outcome.DUPLICATE, d.offset(), null, now);
      producerAcked();
    } else if (a instanceof Rejected r) {
      h.complete(a.requestId(), Outcome.FAIL, -1, r.reason(), now);
      if (inflightProducer) {
        if (r.reason() == Reason.NOT_OWNER) {
          producerRetry = true;
        } else {
          // The owner refused the claim outright; start a fresh producer epoch, as a real client would.
          producerEpoch++;
          producerSeq = 0;
          producerRetry = false;
        }
      }
    } else if (a instanceof Uncertain) {
      h.complete(a.requestId(), Outcome.INFO, -1, null, now);
      if (inflightProducer) producerRetry = true;
    }
    done();
  }

  private void producerAcked() {
    if (!inflightProducer) return;
    producerRetry = false;
    if (sim.rnd().nextDouble() < 0.05) {
      producerEpoch++;
      producerSeq = 0;
    } else {
      producerSeq++;
    }
  }

  private void timeout(long req) {
    if (inflight != req) return;
    sim.history().complete(req, Outcome.INFO, -1, null, sim.now()); // no-op for reads
    if (inflightProducer) producerRetry = true;
    done();
  }

  private void done() {
    inflight = -1;
    inflightProducer = false;
    sim.later(1 + sim.rnd().nextInt(15), this::wake);
  }
}

package org.medledger.ledger.fabric;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.Registration;
import org.medledger.core.record.Role;
import org.medledger.ledger.LedgerException;
import org.medledger.ledger.LedgerIdentity;
import org.medledger.ledger.MedLedgerClient;
import org.medledger.ledger.scenario.PaperScenario;
import org.medledger.ledger.scenario.PaperScenario.Participant;

/**
 * Store latency and throughput and the paper's Fig. 2 flow on a real network. A measurement,
 * not a check: runs only with a network and -Dmedledger.fabric.bench=true (threads:
 * -Dmedledger.fabric.bench.threads, default 16; seconds: -Dmedledger.fabric.bench.seconds, 20).
 */
class FabricThroughputIT {
  private final SecureRandom random = new SecureRandom();

  private record Prepared(LedgerIdentity id, byte[] record) {}

  private Prepared registration(FabricEnrollment enrollment, int i) throws Exception {
    UserSecret sigma = UserSecret.generate(random);
    LedgerIdentity id = enrollment.enroll("Bench " + i, Role.DOCTOR, "HospitalMSP", sigma.signingKeyPair().toJca());
    long index = ParticipantIndex.of(sigma.signingKeyPair().publicKey());
    return new Prepared(id, RecordCodec.encode(new Registration(Role.DOCTOR, index, id.certificate().getEncoded())));
  }

  @Test
  void measure() throws Exception {
    FabricNetwork network = FabricTestNetwork.require();
    FabricTestNetwork.assumeOrFail(Boolean.getBoolean("medledger.fabric.bench"), "set -Dmedledger.fabric.bench=true to measure");
    int threads = Integer.getInteger("medledger.fabric.bench.threads", 16);
    int seconds = Integer.getInteger("medledger.fabric.bench.seconds", 20);
    FabricEnrollment enrollment = new FabricEnrollment(network);
    try (FabricLedger ledger = FabricLedger.connect(network.runDirectory())) {
      System.out.printf("network: BatchTimeout %s, MaxMessageCount %s%n", network.batchTimeout(), network.batchMaxMessages());
      MedLedgerClient client = new MedLedgerClient(ledger);
      // warm-up: connections, chaincode JIT
      for (int i = 0; i < 10; i++) { Prepared p = registration(enrollment, i); client.storeRaw(p.id(), p.record()); }

      // 1. one client, one Store at a time
      List<Long> lat = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        Prepared p = registration(enrollment, i);
        long t0 = System.nanoTime();
        client.storeRaw(p.id(), p.record());
        lat.add(System.nanoTime() - t0);
      }
      Collections.sort(lat);
      System.out.printf("sequential Store: mean %.1f ms, p50 %.1f ms, p95 %.1f ms (n=30)%n",
          lat.stream().mapToLong(Long::longValue).average().orElse(0) / 1e6, lat.get(15) / 1e6, lat.get(28) / 1e6);

      // 2. many clients at once
      List<Prepared> prepared = Collections.synchronizedList(new ArrayList<>());
      for (int i = 0; i < threads * 40 * seconds / 10; i++) prepared.add(registration(enrollment, i));
      AtomicInteger next = new AtomicInteger();
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger failed = new AtomicInteger();
      List<Long> clat = Collections.synchronizedList(new ArrayList<>());
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      long t0 = System.nanoTime();
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        fs.add(pool.submit(() -> {
          while (System.nanoTime() < end) {
            int i = next.getAndIncrement();
            if (i >= prepared.size()) return;
            Prepared p = prepared.get(i);
            long s = System.nanoTime();
            try {
              client.storeRaw(p.id(), p.record());
              ok.incrementAndGet();
              clat.add(System.nanoTime() - s);
            } catch (LedgerException e) {
              failed.incrementAndGet();
            }
          }
        }));
      }
      for (Future<?> f : fs) f.get();
      double elapsed = (System.nanoTime() - t0) / 1e9;
      pool.shutdown();
      List<Long> sorted = new ArrayList<>(clat);
      Collections.sort(sorted);
      System.out.printf("concurrent Store: %d threads, %d committed, %d failed in %.1f s = %.1f tx/s; latency mean %.0f ms, p50 %.0f ms, p95 %.0f ms%n",
          threads, ok.get(), failed.get(), elapsed, ok.get() / elapsed,
          sorted.stream().mapToLong(Long::longValue).average().orElse(0) / 1e6,
          sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2) / 1e6,
          sorted.isEmpty() ? 0 : sorted.get((int) (sorted.size() * 0.95)) / 1e6);

      // 3. Fig. 2: one whole treatment (txtc, txtr of each responder, key building, txd, txm, txa)
      PaperScenario scenario = new PaperScenario(client, enrollment, random);
      byte[] message = "diagnosis and treatment, under 32 B".getBytes(StandardCharsets.UTF_8);
      for (int run = 0; run < 3; run++) {
        Participant patient = scenario.participant("Pat", Role.PATIENT, "HospitalMSP");
        Participant family = scenario.participant("Fay", Role.FAMILY, "HospitalMSP");
        Participant doctor = scenario.participant("Dr Dora", Role.DOCTOR, "HospitalMSP");
        Participant pharmacist = scenario.participant("Phil", Role.PHARMACIST, "PharmacyMSP");
        Participant insurer = scenario.participant("Ian", Role.INSURER, "InsurerMSP");
        Participant lawyer = scenario.participant("Lou", Role.LAWYER, "LawFirmMSP");
        PaperScenario.Treatment t = scenario.run(new PaperScenario.Selection(patient, doctor, List.of(family),
            List.of(pharmacist), List.of(insurer), List.of(lawyer)), message);
        System.out.printf("Fig. 2 flow run %d: %d Stores, total %.0f ms, in ledger calls %.0f ms, per Store %.0f ms%n",
            run + 1, t.proposals(), t.totalNanos() / 1e6, t.ledgerNanos() / 1e6, t.totalNanos() / 1e6 / t.proposals());
      }
    }
  }
}

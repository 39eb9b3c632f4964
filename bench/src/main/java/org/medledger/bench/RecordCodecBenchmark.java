package org.medledger.bench;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.medledger.core.crypto.Siff;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.protocol.TreatmentProtocol;
import org.medledger.core.record.Consent;
import org.medledger.core.record.LedgerRecord;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.ProcessRecord;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.RecordType;
import org.medledger.core.record.Txtc;
import org.medledger.core.record.Txtr;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Canonical encoding and strict parsing (what the chaincode does for every Store) of the paper's
 * three-participant treatment (patient, pharmacist, doctor): txtc, txtr and a 1 KiB txd.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RecordCodecBenchmark {
  private Txtc txtc;
  private Txtr txtr;
  private ProcessRecord txd;

  @Setup
  public void setup() {
    SecureRandom random = new SecureRandom();
    UserSecret patient = UserSecret.generate(random);
    UserSecret doctor = UserSecret.generate(random);
    UserSecret pharmacist = UserSecret.generate(random);
    long indD = ParticipantIndex.of(doctor.signingKeyPair().publicKey());
    long indM = ParticipantIndex.of(pharmacist.signingKeyPair().publicKey());
    long indP = ParticipantIndex.of(patient.signingKeyPair().publicKey());
    Consent consent = TreatmentProtocol.consent(patient, List.of(), List.of(), List.of(), List.of(indM), indD, random);
    txtc = TreatmentProtocol.open(doctor, consent);
    byte[] kappa0 = RecordCodec.kappa(RecordCodec.encode(txtc));
    List<Txtr> responses = new ArrayList<>();
    responses.add(TreatmentProtocol.respond(patient, indP, txtc, kappa0));
    responses.add(TreatmentProtocol.respond(pharmacist, indM, txtc, kappa0));
    txtr = responses.get(0);
    Siff.Built built = TreatmentProtocol.buildKey(doctor, txtc, kappa0, responses, random);
    byte[] msg = "x".repeat(1024).getBytes(StandardCharsets.UTF_8);
    txd = TreatmentProtocol.write(RecordType.TXD, txtc, kappa0, built.tag(), built.key(), indD, 1, msg);
  }

  private static LedgerRecord roundTrip(LedgerRecord r) {
    return RecordCodec.parse(RecordCodec.encode(r));
  }

  @Benchmark
  public LedgerRecord txtc() {
    return roundTrip(txtc);
  }

  @Benchmark
  public LedgerRecord txtr() {
    return roundTrip(txtr);
  }

  @Benchmark
  public LedgerRecord txd() {
    return roundTrip(txd);
  }
}

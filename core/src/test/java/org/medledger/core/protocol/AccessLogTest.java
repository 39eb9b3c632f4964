package org.medledger.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.medledger.core.crypto.AuthenticationFailedException;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.UserSecret;
import org.medledger.core.record.AccessRecord;
import org.medledger.core.record.EmergencyRecord;
import org.medledger.core.record.RecordCodec;
import org.medledger.core.record.RecordFormatException;
import org.medledger.core.record.RecordType;
import org.medledger.core.testing.DeterministicRandom;
import org.medledger.core.testing.Fixtures;

/** Access records (0x0F) and emergency justifications (0x11): formats, sealing, who can read. */
class AccessLogTest {
  private static final Fixtures F = new Fixtures("access");

  @Test
  void aMemberReadsWhatAndWhyAndTheRecordHasOneSize() {
    long lawyer = Fixtures.index(F.lawyer);
    AccessRecord r = AccessLog.seal(F.lawyer, F.kappa0, F.built.tag(), lawyer, AccessLog.What.CASE_FILE_PDF, "");
    AccessRecord long_ = AccessLog.seal(F.lawyer, F.kappa0, F.built.tag(), lawyer, AccessLog.What.EVIDENCE_BUNDLE,
        "x".repeat(AccessLog.MAX_WHY_BYTES));
    byte[] v = RecordCodec.encode(r);
    // header 4, κ0 5+32, reader 5+8, H(tag) 5+32, box 5+284: whatever was done and however long the reason
    assertThat(v).hasSize(380);
    assertThat(RecordCodec.encode(long_)).hasSize(380);
    AccessRecord parsed = (AccessRecord) RecordCodec.parse(v);
    assertThat(RecordCodec.encode(parsed)).isEqualTo(v);
    for (UserSecret member : new UserSecret[] {F.patient, F.family, F.doctor}) {
      assertThat(AccessLog.open(member, F.built.tag(), parsed)).isEqualTo(new AccessLog.Entry(AccessLog.What.CASE_FILE_PDF, ""));
    }
    assertThat(AccessLog.open(F.patient, F.built.tag(), long_).why()).hasSize(AccessLog.MAX_WHY_BYTES);
    // Two openings of the same thing are two records (a fresh nonce), so the second is not R2's no-op.
    AccessRecord again = AccessLog.seal(F.lawyer, F.kappa0, F.built.tag(), lawyer, AccessLog.What.CASE_FILE_PDF, "");
    assertThat(RecordCodec.kappa(RecordCodec.encode(again))).isNotEqualTo(RecordCodec.kappa(v));
  }

  @Test
  void anOutsiderOrAMovedBoxDoesNotOpen() {
    long lawyer = Fixtures.index(F.lawyer);
    AccessRecord r = AccessLog.seal(F.lawyer, F.kappa0, F.built.tag(), lawyer, AccessLog.What.FHIR_EXPORT, "court");
    UserSecret outsider = UserSecret.generate(new DeterministicRandom("outsider"));
    assertThatThrownBy(() -> AccessLog.open(outsider, F.built.tag(), r)).isInstanceOf(AuthenticationFailedException.class);
    // Claimed by another reader: the AD binds the reader's index.
    AccessRecord moved = new AccessRecord(r.kappa0(), Fixtures.index(F.insurer), r.tagHash(), r.box());
    assertThatThrownBy(() -> AccessLog.open(F.patient, F.built.tag(), moved)).isInstanceOf(AuthenticationFailedException.class);
    byte[] other = F.kappa0.clone();
    other[0] ^= 1;
    AccessRecord elsewhere = new AccessRecord(other, lawyer, r.tagHash(), r.box());
    assertThatThrownBy(() -> AccessLog.open(F.patient, F.built.tag(), elsewhere)).isInstanceOf(CryptoException.class);
    byte[] flipped = r.box();
    flipped[40] ^= 1;
    AccessRecord tampered = new AccessRecord(r.kappa0(), lawyer, r.tagHash(), flipped);
    assertThatThrownBy(() -> AccessLog.open(F.patient, F.built.tag(), tampered)).isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void aTooLongReasonIsRefusedBeforeAnythingIsSealed() {
    assertThatThrownBy(() -> AccessLog.seal(F.lawyer, F.kappa0, F.built.tag(), Fixtures.index(F.lawyer),
        AccessLog.What.CASE_FILE_PAGE, "é".repeat(128))).isInstanceOf(CryptoException.class).hasMessageContaining("254");
  }

  @Test
  void anAccessBoxOfAnotherSizeIsRefused() {
    byte[] v = RecordCodec.encode(AccessLog.seal(F.lawyer, F.kappa0, F.built.tag(), Fixtures.index(F.lawyer),
        AccessLog.What.CASE_FILE_PAGE, ""));
    byte[] shorter = Arrays.copyOf(v, v.length - 1);
    shorter[v.length - 285] = (byte) 283; // the box's length byte
    assertThatThrownBy(() -> RecordCodec.parse(shorter)).isInstanceOf(RecordFormatException.class)
        .extracting(e -> ((RecordFormatException) e).reason()).isEqualTo(RecordFormatException.Reason.INVALID_FIELD);
  }

  @Test
  void theNewTypesHaveLabelsAPortalsInboxCanStore() {
    // The portal's inbox keeps a notification's record type label in 8 characters.
    for (RecordType t : new RecordType[] {RecordType.ACCESS, RecordType.EMERGENCY, RecordType.ESCROW}) {
      assertThat(t.label().length()).as(t.name()).isLessThanOrEqualTo(8);
      assertThat(RecordType.fromLabel(t.label())).isEqualTo(t);
    }
  }

  @Test
  void anEmergencyJustificationIsFourFieldsByteForByte() {
    byte[] request = new byte[16];
    Arrays.fill(request, (byte) 0xab);
    EmergencyRecord e = new EmergencyRecord(F.kappa0, 0x0102030405060708L, 1, request);
    byte[] v = RecordCodec.encode(e);
    assertThat(v).hasSize(4 + 37 + 13 + 6 + 21);
    assertThat(Arrays.copyOf(v, 4)).containsExactly(0x4d, 0x4c, 0x01, 0x11);
    assertThat(v[4 + 37 + 13]).isEqualTo((byte) 3);
    assertThat(v[4 + 37 + 13 + 5]).isEqualTo((byte) 1);
    EmergencyRecord back = (EmergencyRecord) RecordCodec.parse(v);
    assertThat(RecordCodec.encode(back)).isEqualTo(v);
    assertThat(back.type()).isEqualTo(RecordType.EMERGENCY);
    byte[] badReason = v.clone();
    badReason[4 + 37 + 13 + 5] = 9;
    assertThatThrownBy(() -> RecordCodec.parse(badReason)).isInstanceOf(RecordFormatException.class)
        .hasMessageContaining("reason");
  }
}

package org.medledger.core.record;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.medledger.core.crypto.AesGcm;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.Hashes;
import org.medledger.core.crypto.P256;
import org.medledger.core.crypto.SiffTag;
import org.medledger.core.crypto.TokenWrap;
import org.medledger.core.record.RecordFormatException.Reason;

/**
 * The one canonical, versioned encoding of every record (docs/protocol.md §Records):
 *
 * <pre>
 * record = "ML" | version 0x01 | type u8 | field*
 * field  = tag u8 | length u32 big-endian | value
 * </pre>
 *
 * Each type has a fixed sequence of field tags 1..n, each present exactly once, in order.
 * Lists are a count byte followed by fixed-size entries, sorted ascending without duplicates,
 * so every value has exactly one encoding and κ = SHA-256(v) identifies it. The parser is
 * strict: any deviation is a {@link RecordFormatException} with its {@link Reason}.
 */
public final class RecordCodec {
  public static final byte VERSION = 1;
  public static final int HEADER_BYTES = 4;
  public static final int MAX_MESSAGE_BYTES = org.medledger.core.crypto.RecordCipher.MAX_MESSAGE_BYTES;
  /**
   * A process record's box: nonce, tag and the padded message, whose largest size class is the
   * message limit plus the one-byte padding marker (RecordCipher).
   */
  public static final int MAX_BOX_BYTES = AesGcm.OVERHEAD + MAX_MESSAGE_BYTES + 1;
  public static final int MAX_RECORD_BYTES = 320 * 1024;
  public static final int MAX_CERTIFICATE_BYTES = 4096;
  /** Per list (family, insurers, lawyers, pharmacists): keeps k within the SIFF limit. */
  public static final int MAX_LIST_ENTRIES = 15;
  public static final int MAX_SIGNATURE_BYTES = 72;
  public static final int KAPPA_BYTES = 32;

  private static final int POINT = P256.COMPRESSED_POINT_BYTES;
  private static final Comparator<byte[]> LEX = Arrays::compareUnsigned;

  private RecordCodec() {}

  /** κ = SHA-256 of the exact bytes of a value. */
  public static byte[] kappa(byte[] value) {
    return Hashes.sha256(value);
  }

  // ---------------------------------------------------------------- encoding

  public static byte[] encode(LedgerRecord record) {
    if (record instanceof Registration r) return encodeRegistration(r);
    if (record instanceof Txtc t) return encodeTxtc(t);
    if (record instanceof Txtr t) return encodeTxtr(t);
    if (record instanceof Txk k) return encodeTxk(k);
    if (record instanceof Withdrawal w) return encodeWithdrawal(w);
    if (record instanceof MemberChange c) return encodeMemberChange(c);
    if (record instanceof KeyEpoch e) return encodeKeyEpoch(e);
    if (record instanceof AccessRecord a) return encodeAccess(a);
    if (record instanceof EmergencyRecord e) return encodeEmergency(e);
    if (record instanceof EscrowRecord e) return encodeEscrow(e);
    return encodeProcess((ProcessRecord) record);
  }

  private static byte[] encodeRegistration(Registration r) {
    Writer w = new Writer(RecordType.REGISTRATION);
    w.field(1, new byte[] {(byte) r.role().code()});
    w.field(2, u64(r.index()));
    w.field(3, r.certificateDer());
    return w.done();
  }

  public static byte[] encodeConsent(Consent c) {
    Writer w = consentFields(c, RecordType.CONSENT);
    w.field(8, c.signature());
    return w.done();
  }

  static byte[] consentSignedBytes(Consent c) {
    return consentFields(c, RecordType.CONSENT).done();
  }

  private static Writer consentFields(Consent c, RecordType type) {
    Writer w = new Writer(type);
    w.field(1, c.patientKey());
    w.field(2, pointList(c.familyKeys()));
    w.field(3, indexList(c.insurers()));
    w.field(4, indexList(c.lawyers()));
    w.field(5, indexList(c.pharmacists()));
    w.field(6, u64(c.doctor()));
    w.field(7, c.consentId());
    return w;
  }

  private static byte[] encodeTxtc(Txtc t) {
    Writer w = consentFields(t.consent(), RecordType.TXTC);
    w.field(8, t.consent().signature());
    w.field(9, t.doctorKey());
    return w.done();
  }

  private static byte[] encodeTxtr(Txtr t) {
    Writer w = new Writer(RecordType.TXTR);
    w.field(1, t.kappa0());
    w.field(2, u64(t.responder()));
    w.field(3, t.responderKey());
    w.field(4, t.wrappedToken());
    return w.done();
  }

  private static byte[] encodeTxk(Txk k) {
    Writer w = new Writer(RecordType.TXK);
    w.field(1, k.kappa0());
    w.field(2, u64(k.doctor()));
    w.field(3, indexList(k.excluded()));
    w.field(4, k.tag());
    return w.done();
  }

  private static byte[] encodeWithdrawal(Withdrawal w) {
    Writer w2 = new Writer(RecordType.WITHDRAWAL);
    w2.field(1, w.consentId());
    w2.field(2, w.patientKey());
    w2.field(3, w.signature());
    return w2.done();
  }

  private static byte[] encodeMemberChange(MemberChange c) {
    Writer w = memberChangeFields(c);
    w.field(8, c.signature());
    return w.done();
  }

  static byte[] memberChangeSignedBytes(MemberChange c) {
    return memberChangeFields(c).done();
  }

  private static Writer memberChangeFields(MemberChange c) {
    checkEpoch(c.epoch());
    Writer w = new Writer(RecordType.MEMBER_CHANGE);
    w.field(1, c.kappa0());
    w.field(2, org.medledger.core.crypto.Bytes.u32(c.epoch()));
    w.field(3, pointList(c.addedFamilyKeys()));
    w.field(4, indexList(c.addedInsurers()));
    w.field(5, indexList(c.addedLawyers()));
    w.field(6, indexList(c.addedPharmacists()));
    w.field(7, indexList(c.removed()));
    return w;
  }

  private static byte[] encodeKeyEpoch(KeyEpoch e) {
    checkEpoch(e.epoch());
    if (e.wrappedKeys().size() != e.epoch()) {
      throw new IllegalArgumentException("epoch " + e.epoch() + " carries " + e.epoch() + " earlier keys, not "
          + e.wrappedKeys().size());
    }
    Writer w = new Writer(RecordType.KEY_EPOCH);
    w.field(1, e.kappa0());
    w.field(2, org.medledger.core.crypto.Bytes.u32(e.epoch()));
    w.field(3, e.change());
    w.field(4, u64(e.doctor()));
    w.field(5, e.tag());
    ByteArrayOutputStream keys = new ByteArrayOutputStream();
    keys.write(e.wrappedKeys().size());
    for (byte[] k : e.wrappedKeys()) {
      if (k.length != KeyEpoch.WRAPPED_KEY_BYTES) throw new IllegalArgumentException("a wrapped key is 60 bytes");
      keys.writeBytes(k);
    }
    w.field(6, keys.toByteArray());
    return w.done();
  }

  private static void checkEpoch(int epoch) {
    if (epoch < 1 || epoch > MemberChange.MAX_EPOCH) {
      throw new IllegalArgumentException("epoch " + epoch + " is outside 1.." + MemberChange.MAX_EPOCH);
    }
  }

  private static byte[] encodeAccess(AccessRecord a) {
    Writer w = new Writer(RecordType.ACCESS);
    w.field(1, a.kappa0());
    w.field(2, u64(a.reader()));
    w.field(3, a.tagHash());
    w.field(4, a.box());
    return w.done();
  }

  private static byte[] encodeEscrow(EscrowRecord e) {
    Writer w = new Writer(RecordType.ESCROW);
    w.field(1, e.kappa0());
    w.field(2, u64(e.patient()));
    w.field(3, e.tagHash());
    w.field(4, e.custodianA());
    w.field(5, e.custodianB());
    w.field(6, e.ephemeral());
    w.field(7, e.box());
    return w.done();
  }

  private static byte[] encodeEmergency(EmergencyRecord e) {
    Writer w = new Writer(RecordType.EMERGENCY);
    w.field(1, e.kappa0());
    w.field(2, u64(e.doctor()));
    w.field(3, new byte[] {(byte) e.reason()});
    w.field(4, e.request());
    return w.done();
  }

  private static byte[] encodeProcess(ProcessRecord p) {
    Writer w = new Writer(p.type());
    w.field(1, p.kappa0());
    w.field(2, u64(p.sender()));
    w.field(3, indexList(p.others()));
    w.field(4, org.medledger.core.crypto.Bytes.u32(p.sequence()));
    w.field(5, p.tag());
    w.field(6, p.ciphertext());
    return w.done();
  }

  public static byte[] encodeEvent(EventPayload e) {
    if (!e.recordType().storable()) {
      throw new IllegalArgumentException("an event names a stored record, not a " + e.recordType().label());
    }
    Writer w = new Writer(RecordType.EVENT);
    w.field(1, new byte[] {(byte) e.recordType().code()});
    w.field(2, e.kappa());
    w.field(3, e.kappa0());
    w.field(4, indexList(e.recipients()));
    return w.done();
  }

  /**
   * The consortium policy (type 0x09): field 1 the version u32, field 2 the organisations:
   * count u8, then per organisation, sorted by MSP id bytewise, MSP id length u8 ‖ MSP id
   * (ASCII) ‖ role count u8 ‖ role codes u8, ascending.
   */
  public static byte[] encodePolicy(ConsortiumPolicy p) {
    Writer w = new Writer(RecordType.POLICY);
    w.field(1, org.medledger.core.crypto.Bytes.u32((int) p.version()));
    ByteArrayOutputStream orgs = new ByteArrayOutputStream();
    orgs.write(p.vouching().size());
    for (var e : p.vouching().entrySet()) {
      byte[] id = e.getKey().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      orgs.write(id.length);
      orgs.writeBytes(id);
      orgs.write(e.getValue().size());
      for (Role r : e.getValue()) orgs.write(r.code());
    }
    w.field(2, orgs.toByteArray());
    return w.done();
  }

  public static ConsortiumPolicy parsePolicy(byte[] v) {
    expect(v, RecordType.POLICY);
    Reader r = new Reader(v);
    long version = r.u32(1, "policy version");
    byte[] b = r.variable(2, "organisations", 1, 1 + ConsortiumPolicy.MAX_ORGANISATIONS * (2 + 64 + 4));
    r.end();
    int n = b[0] & 0xff;
    int pos = 1;
    java.util.TreeMap<String, java.util.Set<Role>> vouching = new java.util.TreeMap<>();
    String previous = null;
    for (int i = 0; i < n; i++) {
      if (pos >= b.length) throw new RecordFormatException(Reason.INVALID_FIELD, "organisations list is shorter than its count");
      int len = b[pos++] & 0xff;
      if (pos + len + 1 > b.length) throw new RecordFormatException(Reason.INVALID_FIELD, "organisations list is shorter than its count");
      String msp = new String(b, pos, len, java.nio.charset.StandardCharsets.US_ASCII);
      pos += len;
      if (!ConsortiumPolicy.validMspId(msp)) {
        throw new RecordFormatException(Reason.INVALID_FIELD, "'" + msp + "' is not an MSP id");
      }
      if (previous != null && previous.compareTo(msp) >= 0) {
        throw new RecordFormatException(Reason.NOT_CANONICAL, "organisations must be sorted by MSP id without duplicates");
      }
      previous = msp;
      int roles = b[pos++] & 0xff;
      if (pos + roles > b.length) throw new RecordFormatException(Reason.INVALID_FIELD, "the roles of " + msp + " are truncated");
      java.util.EnumSet<Role> set = java.util.EnumSet.noneOf(Role.class);
      int last = 0;
      for (int j = 0; j < roles; j++) {
        int code = b[pos++] & 0xff;
        if (code <= last) throw new RecordFormatException(Reason.NOT_CANONICAL, "the roles of " + msp + " must be sorted without duplicates");
        last = code;
        Role role = Role.fromCode(code);
        if (role.pseudonymous()) {
          throw new RecordFormatException(Reason.INVALID_FIELD, "nobody vouches for " + role.title().toLowerCase() + "s: they are pseudonymous");
        }
        set.add(role);
      }
      vouching.put(msp, set);
    }
    if (pos != b.length) throw new RecordFormatException(Reason.INVALID_FIELD, "organisations list length does not match its count");
    try {
      return new ConsortiumPolicy(version, vouching);
    } catch (IllegalArgumentException e) {
      throw new RecordFormatException(Reason.INVALID_FIELD, e.getMessage());
    }
  }

  /**
   * The cover (type 0x0A, docs/protocol.md §Cover): field 1 the title, field 2 the patient's
   * name (UTF-8), field 3 the birth date (empty, or year u16 ‖ month u8 ‖ day u8), field 4 the
   * family names: count u8, then per member, sorted by index, ind_r' u64 ‖ name length u8 ‖
   * name (UTF-8).
   */
  public static byte[] encodeCover(Cover c) {
    Writer w = new Writer(RecordType.COVER);
    w.field(1, c.title().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    w.field(2, c.patientName().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    java.time.LocalDate d = c.birthDate();
    w.field(3, d == null ? new byte[0]
        : new byte[] {(byte) (d.getYear() >> 8), (byte) d.getYear(), (byte) d.getMonthValue(), (byte) d.getDayOfMonth()});
    ByteArrayOutputStream fam = new ByteArrayOutputStream();
    fam.write(c.family().size());
    for (var e : c.family().entrySet()) { // Cover keeps them sorted by unsigned index
      byte[] name = e.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      fam.writeBytes(u64(e.getKey()));
      fam.write(name.length);
      fam.writeBytes(name);
    }
    w.field(4, fam.toByteArray());
    return w.done();
  }

  /** The largest cover: four field headers, the longest texts and a full family list. */
  public static final int MAX_COVER_BYTES = HEADER_BYTES + 4 * 5 + Cover.MAX_TITLE_BYTES + Cover.MAX_NAME_BYTES + 4
      + 1 + MAX_LIST_ENTRIES * (8 + 1 + Cover.MAX_FAMILY_NAME_BYTES);

  /** True when {@code message} begins like a cover record (magic, version, type 0x0A). */
  public static boolean looksLikeCover(byte[] message) {
    return message != null && message.length >= HEADER_BYTES && message[0] == 'M' && message[1] == 'L'
        && message[2] == VERSION && (message[3] & 0xff) == RecordType.COVER.code();
  }

  public static Cover parseCover(byte[] v) {
    expect(v, RecordType.COVER);
    if (v.length > MAX_COVER_BYTES) {
      throw new RecordFormatException(Reason.OVERSIZED, "cover is " + v.length + " bytes; the limit is " + MAX_COVER_BYTES);
    }
    Reader r = new Reader(v);
    String title = utf8(r.variable(1, "title", 1, Cover.MAX_TITLE_BYTES), "title");
    String name = utf8(r.variable(2, "patient's name", 1, Cover.MAX_NAME_BYTES), "patient's name");
    byte[] d = r.next(3, "birth date");
    java.time.LocalDate birth = null;
    if (d.length == 4) {
      try {
        birth = java.time.LocalDate.of(((d[0] & 0xff) << 8) | (d[1] & 0xff), d[2] & 0xff, d[3] & 0xff);
      } catch (java.time.DateTimeException e) {
        throw new RecordFormatException(Reason.INVALID_FIELD, "birth date is not a calendar date");
      }
    } else if (d.length != 0) {
      throw new RecordFormatException(Reason.INVALID_FIELD, "birth date must be 0 or 4 bytes, is " + d.length);
    }
    byte[] f = r.variable(4, "family names", 1, 1 + MAX_LIST_ENTRIES * (8 + 1 + Cover.MAX_FAMILY_NAME_BYTES));
    r.end();
    int n = f[0] & 0xff;
    if (n > MAX_LIST_ENTRIES) {
      throw new RecordFormatException(Reason.OVERSIZED, "family names list " + n + " entries; the limit is " + MAX_LIST_ENTRIES);
    }
    java.util.Map<Long, String> family = new java.util.LinkedHashMap<>();
    int pos = 1;
    Long previous = null;
    for (int i = 0; i < n; i++) {
      if (pos + 9 > f.length) throw new RecordFormatException(Reason.INVALID_FIELD, "family names list is shorter than its count");
      long ind = org.medledger.core.crypto.Bytes.readU64(f, pos);
      int len = f[pos + 8] & 0xff;
      pos += 9;
      if (pos + len > f.length) throw new RecordFormatException(Reason.INVALID_FIELD, "a family member's name is truncated");
      if (previous != null && Long.compareUnsigned(previous, ind) >= 0) {
        throw new RecordFormatException(Reason.NOT_CANONICAL, "family names must be sorted by index without duplicates");
      }
      previous = ind;
      family.put(ind, utf8(Arrays.copyOfRange(f, pos, pos + len), "family member's name"));
      pos += len;
    }
    if (pos != f.length) throw new RecordFormatException(Reason.INVALID_FIELD, "family names list length does not match its count");
    try {
      return new Cover(title, name, birth, family);
    } catch (IllegalArgumentException e) {
      throw new RecordFormatException(Reason.INVALID_FIELD, e.getMessage());
    }
  }

  /**
   * The typed message (type 0x0C, docs/protocol.md §Content of a record): field 1 the content
   * type (canonical ASCII, 1..127 bytes), field 2 the body. The whole is a record's message, so
   * it keeps the message limit ({@link #MAX_MESSAGE_BYTES}).
   */
  public static byte[] encodeContent(RecordContent c) {
    int size = RecordContent.overhead(c.contentType()) + c.body().length;
    if (size > MAX_MESSAGE_BYTES) {
      throw new IllegalArgumentException("the record is " + size + " bytes; the limit is " + MAX_MESSAGE_BYTES);
    }
    Writer w = new Writer(RecordType.CONTENT);
    w.field(1, c.contentType().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    w.field(2, c.body());
    return w.done();
  }

  /** True when {@code message} begins like a typed message (magic, version, type 0x0C). */
  public static boolean looksLikeContent(byte[] message) {
    return message != null && message.length >= HEADER_BYTES && message[0] == 'M' && message[1] == 'L'
        && message[2] == VERSION && (message[3] & 0xff) == RecordType.CONTENT.code();
  }

  /**
   * A record's message as content: a typed message is parsed strictly; any other message is the
   * bare UTF-8 text records were before content types, {@link RecordContent#TEXT}. (The cover,
   * the doctor's txd number 0, is told apart by its sender and sequence first: §Cover.)
   */
  public static RecordContent readContent(byte[] message) {
    if (!looksLikeContent(message)) return new RecordContent(RecordContent.TEXT, message);
    expect(message, RecordType.CONTENT);
    if (message.length > MAX_MESSAGE_BYTES) {
      throw new RecordFormatException(Reason.OVERSIZED, "typed message is " + message.length + " bytes; the limit is " + MAX_MESSAGE_BYTES);
    }
    Reader r = new Reader(message);
    byte[] type = r.variable(1, "content type", 1, RecordContent.MAX_CONTENT_TYPE_BYTES);
    byte[] body = r.variable(2, "body", 0, MAX_MESSAGE_BYTES);
    r.end();
    try {
      return new RecordContent(new String(type, java.nio.charset.StandardCharsets.ISO_8859_1), body);
    } catch (IllegalArgumentException e) {
      throw new RecordFormatException(Reason.INVALID_FIELD, e.getMessage());
    }
  }

  /** Strict UTF-8: a malformed sequence is refused, never replaced. */
  private static String utf8(byte[] b, String name) {
    try {
      return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(b)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new RecordFormatException(Reason.INVALID_FIELD, name + " is not valid UTF-8");
    }
  }

  /** Sorted, duplicate-free index list; throws if the caller passes duplicates. */
  private static byte[] indexList(List<Long> indexes) {
    List<Long> sorted = new ArrayList<>(indexes);
    sorted.sort(Long::compareUnsigned);
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).longValue() == sorted.get(i - 1).longValue()) {
        throw new IllegalArgumentException("duplicate participant index " + ParticipantIndex.hex(sorted.get(i)));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(sorted.size());
    for (long v : sorted) out.writeBytes(u64(v));
    return out.toByteArray();
  }

  private static byte[] pointList(List<byte[]> points) {
    List<byte[]> sorted = new ArrayList<>(points);
    sorted.sort(LEX);
    for (int i = 1; i < sorted.size(); i++) {
      if (Arrays.equals(sorted.get(i), sorted.get(i - 1))) {
        throw new IllegalArgumentException("duplicate public key in list");
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(sorted.size());
    for (byte[] p : sorted) out.writeBytes(p);
    return out.toByteArray();
  }

  // ---------------------------------------------------------------- parsing

  /** The type of a record after checking its header (magic, version, known type, size). */
  public static RecordType peekType(byte[] v) {
    if (v == null || v.length < HEADER_BYTES) {
      throw new RecordFormatException(Reason.TRUNCATED, "record is shorter than its 4-byte header");
    }
    if (v.length > MAX_RECORD_BYTES) {
      throw new RecordFormatException(
          Reason.OVERSIZED, "record is " + v.length + " bytes; the limit is " + MAX_RECORD_BYTES);
    }
    if (v[0] != 'M' || v[1] != 'L') {
      throw new RecordFormatException(Reason.BAD_MAGIC, "not a MedLedger record (bad magic)");
    }
    if (v[2] != VERSION) {
      throw new RecordFormatException(Reason.UNSUPPORTED_VERSION, "unsupported record version " + (v[2] & 0xff));
    }
    return RecordType.fromCode(v[3] & 0xff);
  }

  /** Parses a storable record (registration, txtc, txtr, txd, txm, txa, txk, withdrawal). */
  public static LedgerRecord parse(byte[] v) {
    RecordType type = peekType(v);
    Reader r = new Reader(v);
    LedgerRecord out = switch (type) {
      case REGISTRATION -> parseRegistration(r);
      case TXTC -> new Txtc(parseConsentFields(r), r.point(9, "pk_d"));
      case TXTR -> parseTxtr(r);
      case TXD, TXM, TXA -> parseProcess(type, r);
      case TXK -> parseTxk(r);
      case WITHDRAWAL -> new Withdrawal(r.fixed(1, "consent id", Consent.CONSENT_ID_BYTES), r.point(2, "vk_p"),
          r.variable(3, "patient signature", 8, MAX_SIGNATURE_BYTES));
      case MEMBER_CHANGE -> parseMemberChange(r);
      case KEY_EPOCH -> parseKeyEpoch(r);
      case ACCESS -> new AccessRecord(r.fixed(1, "kappa0", KAPPA_BYTES), r.u64(2, "reader index"),
          r.fixed(3, "tag hash", KAPPA_BYTES), r.fixed(4, "access box", AccessRecord.BOX_BYTES));
      case EMERGENCY -> parseEmergency(r);
      case ESCROW -> new EscrowRecord(r.fixed(1, "kappa0", KAPPA_BYTES), r.u64(2, "patient index"),
          r.fixed(3, "tag hash", KAPPA_BYTES), r.point(4, "custodian A"), r.point(5, "custodian B"),
          r.point(6, "ephemeral key"), r.fixed(7, "escrow box", EscrowRecord.BOX_BYTES));
      case CONSENT, POLICY, EVENT, COVER, CONTENT -> throw new RecordFormatException(
          Reason.WRONG_TYPE, type.label() + " is not a record that can be stored");
    };
    r.end();
    return out;
  }

  public static Consent parseConsent(byte[] v) {
    expect(v, RecordType.CONSENT);
    Reader r = new Reader(v);
    Consent c = parseConsentFields(r);
    r.end();
    return c;
  }

  public static EventPayload parseEvent(byte[] v) {
    expect(v, RecordType.EVENT);
    Reader r = new Reader(v);
    byte[] t = r.fixed(1, "record type", 1);
    RecordType type = RecordType.fromCode(t[0] & 0xff); // UNKNOWN_TYPE for a code not in the table
    if (!type.storable()) {
      // The event reports a Store; a consent or an event is never stored (docs/protocol.md §Parsing).
      throw new RecordFormatException(Reason.WRONG_TYPE, "an event names a stored record, not a " + type.label());
    }
    EventPayload e = new EventPayload(
        type, r.fixed(2, "kappa", KAPPA_BYTES), r.fixed(3, "kappa0", KAPPA_BYTES), r.indexes(4, "recipients", 64));
    r.end();
    return e;
  }

  private static void expect(byte[] v, RecordType want) {
    RecordType got = peekType(v);
    if (got != want) {
      throw new RecordFormatException(Reason.WRONG_TYPE, "expected " + want.label() + ", got " + got.label());
    }
  }

  private static Registration parseRegistration(Reader r) {
    Role role = Role.fromCode(r.fixed(1, "role", 1)[0] & 0xff);
    long index = r.u64(2, "ind_x");
    byte[] cert = r.variable(3, "certificate", 64, MAX_CERTIFICATE_BYTES);
    return new Registration(role, index, cert);
  }

  private static Consent parseConsentFields(Reader r) {
    byte[] vkp = r.point(1, "vk_p");
    List<byte[]> family = r.points(2, "vk_r");
    List<Long> insurers = r.indexes(3, "ind_a", MAX_LIST_ENTRIES);
    List<Long> lawyers = r.indexes(4, "ind_i", MAX_LIST_ENTRIES);
    List<Long> pharmacists = r.indexes(5, "ind_m", MAX_LIST_ENTRIES);
    long doctor = r.u64(6, "ind_d");
    byte[] id = r.fixed(7, "consent id", Consent.CONSENT_ID_BYTES);
    byte[] sig = r.variable(8, "patient signature", 8, MAX_SIGNATURE_BYTES);
    return new Consent(vkp, family, insurers, lawyers, pharmacists, doctor, id, sig);
  }

  private static Txtr parseTxtr(Reader r) {
    return new Txtr(
        r.fixed(1, "kappa0", KAPPA_BYTES), r.u64(2, "ind_x"), r.point(3, "pk_x"),
        r.fixed(4, "c_x", TokenWrap.WRAPPED_BYTES));
  }

  private static EmergencyRecord parseEmergency(Reader r) {
    byte[] k0 = r.fixed(1, "kappa0", KAPPA_BYTES);
    long doctor = r.u64(2, "doctor index");
    int reason = r.fixed(3, "reason", 1)[0] & 0xff;
    if (!EmergencyRecord.Reason.valid(reason)) {
      throw new RecordFormatException(Reason.INVALID_FIELD, "unknown emergency reason " + reason);
    }
    return new EmergencyRecord(k0, doctor, reason, r.fixed(4, "request id", EmergencyRecord.REQUEST_BYTES));
  }

  private static Txk parseTxk(Reader r) {
    byte[] k0 = r.fixed(1, "kappa0", KAPPA_BYTES);
    long doctor = r.u64(2, "ind_d");
    List<Long> excluded = r.indexes(3, "excluded indexes", 64);
    byte[] tag = tag(r, 4);
    return new Txk(k0, doctor, excluded, tag);
  }

  private static MemberChange parseMemberChange(Reader r) {
    byte[] k0 = r.fixed(1, "kappa0", KAPPA_BYTES);
    int epoch = epoch(r, 2);
    List<byte[]> family = r.points(3, "added vk_r");
    List<Long> insurers = r.indexes(4, "added ind_a", MAX_LIST_ENTRIES);
    List<Long> lawyers = r.indexes(5, "added ind_i", MAX_LIST_ENTRIES);
    List<Long> pharmacists = r.indexes(6, "added ind_m", MAX_LIST_ENTRIES);
    List<Long> removed = r.indexes(7, "removed indexes", 64);
    byte[] sig = r.variable(8, "patient signature", 8, MAX_SIGNATURE_BYTES);
    return new MemberChange(k0, epoch, family, insurers, lawyers, pharmacists, removed, sig);
  }

  private static KeyEpoch parseKeyEpoch(Reader r) {
    byte[] k0 = r.fixed(1, "kappa0", KAPPA_BYTES);
    int epoch = epoch(r, 2);
    byte[] change = r.fixed(3, "change kappa", KAPPA_BYTES);
    long doctor = r.u64(4, "ind_d");
    byte[] tag = tag(r, 5);
    byte[] b = r.next(6, "wrapped earlier keys");
    if (b.length < 1) throw new RecordFormatException(Reason.INVALID_FIELD, "wrapped earlier keys list has no count byte");
    int n = b[0] & 0xff;
    if (b.length != 1 + n * KeyEpoch.WRAPPED_KEY_BYTES) {
      throw new RecordFormatException(Reason.INVALID_FIELD, "wrapped earlier keys list length does not match its count");
    }
    if (n != epoch) {
      throw new RecordFormatException(Reason.INVALID_FIELD, "epoch " + epoch + " must carry " + epoch
          + " earlier keys, carries " + n);
    }
    List<byte[]> keys = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      keys.add(Arrays.copyOfRange(b, 1 + i * KeyEpoch.WRAPPED_KEY_BYTES, 1 + (i + 1) * KeyEpoch.WRAPPED_KEY_BYTES));
    }
    return new KeyEpoch(k0, epoch, change, doctor, tag, keys);
  }

  private static int epoch(Reader r, int field) {
    long e = r.u32(field, "epoch");
    if (e < 1 || e > MemberChange.MAX_EPOCH) {
      throw new RecordFormatException(Reason.INVALID_FIELD, "epoch " + e + " is outside 1.." + MemberChange.MAX_EPOCH);
    }
    return (int) e;
  }

  private static byte[] tag(Reader r, int field) {
    byte[] tag = r.variable(field, "tag", 2 * SiffTag.COEFFICIENT_BYTES, (SiffTag.MAX_MEMBERS + 1) * SiffTag.COEFFICIENT_BYTES);
    if (tag.length % SiffTag.COEFFICIENT_BYTES != 0) {
      throw new RecordFormatException(Reason.INVALID_FIELD, "tag length is not a multiple of 66");
    }
    return tag;
  }

  private static ProcessRecord parseProcess(RecordType type, Reader r) {
    byte[] k0 = r.fixed(1, "kappa0", KAPPA_BYTES);
    long sender = r.u64(2, "sender index");
    List<Long> others = r.indexes(3, "other indexes", 64);
    int seq = (int) r.u32(4, "sequence");
    byte[] tag = tag(r, 5);
    byte[] ct = r.variable(6, "ciphertext", AesGcm.OVERHEAD, MAX_BOX_BYTES);
    return new ProcessRecord(type, k0, sender, others, seq, tag, ct);
  }

  private static byte[] u64(long v) {
    return org.medledger.core.crypto.Bytes.u64(v);
  }

  // ---------------------------------------------------------------- writer / reader

  private static final class Writer {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Writer(RecordType type) {
      out.write('M');
      out.write('L');
      out.write(VERSION);
      out.write(type.code());
    }

    void field(int tag, byte[] value) {
      out.write(tag);
      out.writeBytes(org.medledger.core.crypto.Bytes.u32(value.length));
      out.writeBytes(value);
    }

    byte[] done() {
      return out.toByteArray();
    }
  }

  private static final class Reader {
    private final byte[] v;
    private int pos = HEADER_BYTES;
    private int lastTag = 0;

    Reader(byte[] v) {
      this.v = v;
    }

    byte[] next(int tag, String name) {
      if (pos >= v.length) {
        throw new RecordFormatException(Reason.TRUNCATED, "record ends before field " + tag + " (" + name + ")");
      }
      int got = v[pos] & 0xff;
      if (got != tag) {
        // A field that comes back (got <= lastTag) or the expected one further on: out of order.
        if (got <= lastTag || laterFieldHasTag(pos, tag)) {
          throw new RecordFormatException(
              Reason.REORDERED, "field " + got + " appears out of order where field " + tag + " (" + name + ") belongs");
        }
        throw new RecordFormatException(Reason.MISSING_FIELD, "field " + tag + " (" + name + ") is missing");
      }
      if (pos + 5 > v.length) {
        throw new RecordFormatException(Reason.TRUNCATED, "field " + tag + " (" + name + ") header is truncated");
      }
      long len = ((v[pos + 1] & 0xffL) << 24) | ((v[pos + 2] & 0xff) << 16) | ((v[pos + 3] & 0xff) << 8) | (v[pos + 4] & 0xff);
      if (len > MAX_RECORD_BYTES) {
        throw new RecordFormatException(Reason.OVERSIZED, "field " + name + " declares " + len + " bytes");
      }
      if (pos + 5 + len > v.length) {
        throw new RecordFormatException(Reason.TRUNCATED, "field " + name + " is truncated");
      }
      byte[] out = Arrays.copyOfRange(v, pos + 5, pos + 5 + (int) len);
      pos += 5 + (int) len;
      lastTag = tag;
      return out;
    }

    byte[] fixed(int tag, String name, int size) {
      byte[] b = next(tag, name);
      if (b.length != size) {
        throw new RecordFormatException(
            Reason.INVALID_FIELD, name + " must be " + size + " bytes, is " + b.length);
      }
      return b;
    }

    byte[] variable(int tag, String name, int min, int max) {
      byte[] b = next(tag, name);
      if (b.length > max) {
        throw new RecordFormatException(Reason.OVERSIZED, name + " is " + b.length + " bytes; the limit is " + max);
      }
      if (b.length < min) {
        throw new RecordFormatException(Reason.INVALID_FIELD, name + " is shorter than " + min + " bytes");
      }
      return b;
    }

    long u64(int tag, String name) {
      return org.medledger.core.crypto.Bytes.readU64(fixed(tag, name, 8), 0);
    }

    long u32(int tag, String name) {
      byte[] b = fixed(tag, name, 4);
      return ((b[0] & 0xffL) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    byte[] point(int tag, String name) {
      byte[] b = fixed(tag, name, POINT);
      checkPoint(b, name);
      return b;
    }

    List<byte[]> points(int tag, String name) {
      byte[] b = next(tag, name);
      int n = listCount(b, name, MAX_LIST_ENTRIES, POINT);
      List<byte[]> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        byte[] p = Arrays.copyOfRange(b, 1 + i * POINT, 1 + (i + 1) * POINT);
        checkPoint(p, name);
        if (i > 0 && LEX.compare(out.get(i - 1), p) >= 0) {
          throw new RecordFormatException(Reason.NOT_CANONICAL, name + " must be sorted without duplicates");
        }
        out.add(p);
      }
      return out;
    }

    List<Long> indexes(int tag, String name, int max) {
      byte[] b = next(tag, name);
      int n = listCount(b, name, max, 8);
      List<Long> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        long x = org.medledger.core.crypto.Bytes.readU64(b, 1 + i * 8);
        if (i > 0 && Long.compareUnsigned(out.get(i - 1), x) >= 0) {
          throw new RecordFormatException(Reason.NOT_CANONICAL, name + " must be sorted without duplicates");
        }
        out.add(x);
      }
      return out;
    }

    private int listCount(byte[] b, String name, int max, int entry) {
      if (b.length < 1) {
        throw new RecordFormatException(Reason.INVALID_FIELD, name + " list has no count byte");
      }
      int n = b[0] & 0xff;
      if (n > max) {
        throw new RecordFormatException(Reason.OVERSIZED, name + " lists " + n + " entries; the limit is " + max);
      }
      if (b.length != 1 + n * entry) {
        throw new RecordFormatException(Reason.INVALID_FIELD, name + " list length does not match its count");
      }
      return n;
    }

    private void checkPoint(byte[] b, String name) {
      if (b[0] != 0x02 && b[0] != 0x03) {
        throw new RecordFormatException(Reason.NOT_CANONICAL, name + " must be a compressed P-256 point");
      }
      try {
        P256.decodePoint(b);
      } catch (CryptoException e) {
        throw new RecordFormatException(Reason.INVALID_FIELD, name + ": " + e.getMessage());
      }
    }

    /** Walks the well-formed field headers from {@code from} looking for {@code tag}. */
    private boolean laterFieldHasTag(int from, int tag) {
      int p = from;
      while (p + 5 <= v.length) {
        if ((v[p] & 0xff) == tag) return true;
        long len = ((v[p + 1] & 0xffL) << 24) | ((v[p + 2] & 0xff) << 16) | ((v[p + 3] & 0xff) << 8) | (v[p + 4] & 0xff);
        if (p + 5 + len > v.length) return false;
        p += 5 + (int) len;
      }
      return false;
    }

    void end() {
      if (pos + 5 <= v.length && (v[pos] & 0xff) >= 1 && (v[pos] & 0xff) <= lastTag) {
        throw new RecordFormatException(
            Reason.REORDERED, "field " + (v[pos] & 0xff) + " appears again after field " + lastTag);
      }
      if (pos != v.length) {
        throw new RecordFormatException(Reason.TRAILING_BYTES, (v.length - pos) + " unexpected bytes after the last field");
      }
    }
  }
}

package org.medledger.portal.infrastructure.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.StrictErrorHandler;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Annotation;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.ChargeItem;
import org.hl7.fhir.r4.model.ClaimResponse;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Dosage;
import org.hl7.fhir.r4.model.Duration;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.MedicationDispense;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Money;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.SimpleQuantity;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Timing;
import org.medledger.core.record.RecordContent;
import org.medledger.portal.application.fhir.AttachedFile;
import org.medledger.portal.application.fhir.Authoring;
import org.medledger.portal.application.fhir.ClinicalForm;
import org.medledger.portal.application.fhir.CodeLists;
import org.medledger.portal.application.fhir.InvalidRecordException;
import org.medledger.portal.application.fhir.Kind;
import org.medledger.portal.application.fhir.Readable;

/**
 * FHIR R4 resources from the treatment page's forms, checked and validated before they are
 * encrypted, and read back in people's words (docs/protocol.md §Content of a record). HAPI's
 * R4 model, its JSON parser, and its {@link FhirValidator} against the R4 schemas and the R4
 * base profiles; nothing of HAPI leaves this package.
 */
@ApplicationScoped
public class FhirResources {
  /** FhirContext is expensive to make and thread-safe: one for the portal (HAPI's advice). */
  private static final FhirContext CTX = FhirContext.forR4Cached();
  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(FhirResources.class.getName());
  private static final Pattern ELEMENT = Pattern.compile("element '(?:[a-zA-Z]+:)?([a-zA-Z]+)'");
  private static final Pattern CONSTRAINT = Pattern.compile("Constraint failed: [a-z0-9A-Z-]+: '(.*)'", Pattern.DOTALL);
  private static final Pattern EXPECTED = Pattern.compile("\\{?\"http://hl7.org/fhir\":([a-zA-Z]+)");
  private static final int MAX_TEXT = 2000;

  private volatile FhirValidator validator;

  /**
   * The validator takes seconds to make (tens on a loaded machine): made here, once, while the
   * portal starts, before any request or ledger event. Made on first use instead, it held up
   * whatever needed it first — the ledger-event thread writing a new treatment's cover, and every
   * event queued behind it — for as long as it took. Before the demo's seeding (priority 2000),
   * which writes records.
   */
  void atStart(@Observes @Priority(1000) @Initialized(ApplicationScoped.class) Object ignored) {
    long t0 = System.nanoTime();
    Profiles.ready();
    // One cover through both passes: the R4 schemas are compiled on their first use, and the
    // profile validator fetches what a Bundle, Patient, EpisodeOfCare and RelatedPerson need on
    // theirs; the cover is what the ledger-event thread validates.
    cover(new org.medledger.core.record.Cover("Start-up check", "Start-up check", null, java.util.Map.of(1L, "Start-up check")));
    LOG.info(() -> "FHIR validator ready (R4 schemas and base profiles) in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
  }

  // ---------------------------------------------------------------- writing

  /**
   * The form as a resource, checked field by field, then validated.
   *
   * @throws InvalidRecordException naming the field at fault; nothing is stored
   */
  public RecordContent build(ClinicalForm f, Authoring a) {
    if (f.getKind() == null) throw new InvalidRecordException("kind", "Choose what you are recording.");
    if (f.getKind().writer() != a.role()) {
      throw new InvalidRecordException("kind", "A " + a.role().title().toLowerCase(Locale.ROOT) + " does not write a "
          + f.getKind().title().toLowerCase(Locale.ROOT) + ".");
    }
    Resource r = switch (f.getKind()) {
      case DIAGNOSIS -> condition(f, a);
      case PRESCRIPTION -> prescription(f, a);
      case OBSERVATION -> observation(f, a);
      case PROCEDURE -> procedure(f, a);
      case ATTACHMENT -> documentReference(f, a);
      case DISPENSING -> dispensing(f, a);
      case DECISION -> decision(f, a);
    };
    return content(r);
  }

  /**
   * A resource written by other health software, as JSON: parsed strictly (an unknown element
   * or a malformed value is refused), validated, and re-encoded as this portal writes it.
   */
  public RecordContent importJson(String json) {
    IBaseResource r;
    try {
      r = strictParser().parseResource(json);
    } catch (DataFormatException e) {
      throw new InvalidRecordException("resource", "The record is not valid FHIR R4: " + e.getMessage());
    }
    return content((Resource) r);
  }

  private RecordContent content(Resource r) {
    validate(r);
    byte[] json = CTX.newJsonParser().encodeResourceToString(r).getBytes(StandardCharsets.UTF_8);
    return new RecordContent(RecordContent.FHIR_R4_JSON, json);
  }

  /**
   * HAPI's validator, in two passes. First the R4 schemas (structure, cardinality, data types):
   * their messages name the element at fault, which the form's error shows. Then the profile
   * validator against the R4 base profiles, which adds what no schema can say: the FHIRPath
   * invariants (a condition that has abated is not still active; a unit code needs its system)
   * and the codes of required bindings. Only errors refuse a record; warnings and information
   * (no narrative, a code system the validator does not know such as ICD-10, LOINC or ATC
   * without a terminology server) do not, since the portal's code lists are its own.
   */
  public void validate(IBaseResource r) {
    refuseErrors(r, schemaValidator().validateWithResult(r), true);
    refuseErrors(r, Profiles.VALIDATOR.validateWithResult(r), false);
  }

  private static void refuseErrors(IBaseResource r, ValidationResult result, boolean schema) {
    for (SingleValidationMessage m : result.getMessages()) {
      if (m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL) {
        String field = schema ? fieldOf(r.fhirType(), m.getMessage()) : fieldOfPath(r.fhirType(), m.getLocationString());
        String words = schema ? clean(m.getMessage()) : words(m.getMessage());
        throw new InvalidRecordException(field, "The record is not valid FHIR R4 (" + field + "): " + words);
      }
    }
  }

  private FhirValidator schemaValidator() {
    FhirValidator v = validator;
    if (v == null) {
      synchronized (this) {
        if (validator == null) {
          FhirValidator made = CTX.newValidator();
          made.setValidateAgainstStandardSchema(true);
          made.setValidateAgainstStandardSchematron(false); // needs ph-schematron; the profile validator checks the invariants
          validator = made;
        }
        v = validator;
      }
    }
    return v;
  }

  /**
   * The profile validator, made once for the portal (at start, {@link #atStart}; in unit tests on
   * first use): loading the R4 base profiles and generating their snapshots takes seconds and
   * much memory; afterwards it is thread-safe and its support chain caches what it looked up.
   */
  private static final class Profiles {
    static final FhirValidator VALIDATOR = make();

    static void ready() {
      // initialising the class makes VALIDATOR; any other caller meanwhile waits for it
    }

    private static FhirValidator make() {
      ValidationSupportChain chain = new ValidationSupportChain(
          new DefaultProfileValidationSupport(CTX), // the R4 base profiles, value sets and code systems
          new CommonCodeSystemsTerminologyService(CTX), // UCUM units, currencies, languages, MIME types
          new InMemoryTerminologyServerValidationSupport(CTX), // codes against the value sets above
          new SnapshotGeneratingValidationSupport(CTX));
      FhirInstanceValidator instance = new FhirInstanceValidator(chain);
      // the portal's code lists are its own: a code outside an extensible binding's value set is
      // expected, not worth a warning in every result
      instance.setNoExtensibleWarnings(true);
      FhirValidator v = CTX.newValidator();
      v.setValidateAgainstStandardSchema(false);
      v.setValidateAgainstStandardSchematron(false);
      v.registerValidatorModule(instance);
      return v;
    }
  }

  /** "MedicationRequest.dosageInstruction.doseAndRate.dose" from "MedicationRequest.dosageInstruction[0].doseAndRate[0].dose.ofType(Quantity)". */
  static String fieldOfPath(String type, String location) {
    if (location == null || location.isBlank()) return type;
    String path = location.replaceAll("\\[[0-9]+\\]", "").replaceAll("\\.ofType\\([A-Za-z]+\\)", "").replaceAll("\\.resolve\\(\\)", "")
        .replaceAll("/\\*.*?\\*/", ""); // "Bundle.entry.resource/*ChargeItem/null*/": the resource's type and id
    return path.startsWith(type) ? path : type;
  }

  /**
   * The spec's own words for a failed invariant ("If a code for the unit is present, the system
   * SHALL also be present"), without its key and its profile's address; other messages as given,
   * without the profile's address.
   */
  static String words(String message) {
    Matcher m = CONSTRAINT.matcher(message);
    String w = m.find() ? m.group(1) : message;
    return w.replaceAll("\\s*\\((?:from|defined in) http[^)]*\\)", "").strip();
  }

  /** "Condition.subject" from a schema message: the element it complains about and the one it expected. */
  static String fieldOf(String type, String message) {
    Matcher expected = EXPECTED.matcher(message);
    Matcher element = ELEMENT.matcher(message);
    String parent = element.find() ? element.group(1) : type;
    // "One of '{bodySite, subject}' is expected": the optional elements that may come first, then
    // the required one that is missing, last.
    String last = null;
    while (expected.find()) last = expected.group(1);
    if (last != null) return (parent.equals(type) ? type : type + "…" + parent) + "." + last;
    return parent.equals(type) ? type : type + "…" + parent;
  }

  private static String clean(String message) {
    return message.replaceAll("^cvc-[a-zA-Z0-9.-]+: ", "").replace("\"http://hl7.org/fhir\":", "");
  }

  private static IParser strictParser() {
    return CTX.newJsonParser().setParserErrorHandler(new StrictErrorHandler());
  }

  // ---------------------------------------------------------------- the four kinds

  private Condition condition(ClinicalForm f, Authoring a) {
    CodeLists.Code code = CodeLists.diagnosis(trim(f.getDiagnosisCode())).orElseThrow(() ->
        new InvalidRecordException("diagnosisCode", "Diagnosis: choose a code from the list."));
    Condition c = new Condition();
    c.setClinicalStatus(concept("http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active"));
    c.setVerificationStatus(concept("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "Confirmed"));
    CodeableConcept cc = concept(CodeLists.ICD10, code.code(), code.display());
    String details = text(f.getDiagnosisText(), "diagnosisText", "Details");
    cc.setText(details != null ? details : code.display());
    c.setCode(cc);
    c.setSubject(patient(a));
    c.setRecordedDate(Date.from(a.time()));
    c.setRecorder(author(a));
    note(f, a).ifPresent(c::addNote);
    return c;
  }

  private Observation observation(ClinicalForm f, Authoring a) {
    CodeLists.Code code = CodeLists.observation(trim(f.getObservationCode())).orElseThrow(() ->
        new InvalidRecordException("observationCode", "Observation: choose what was measured from the list."));
    BigDecimal value = decimal(f.getValue(), "value", "Value");
    Observation o = new Observation();
    o.setStatus(Observation.ObservationStatus.FINAL);
    o.setCode(concept(CodeLists.LOINC, code.code(), code.display()).setText(code.display()));
    o.setSubject(patient(a));
    o.setEffective(new DateTimeType(Date.from(a.time())));
    o.addPerformer(author(a));
    o.setValue(new Quantity().setValue(value).setUnit(CodeLists.unitWords(code.unit()))
        .setSystem("http://unitsofmeasure.org").setCode(code.unit()));
    note(f, a).ifPresent(o::addNote);
    return o;
  }

  private Procedure procedure(ClinicalForm f, Authoring a) {
    CodeLists.Code code = CodeLists.procedure(trim(f.getProcedureCode())).orElseThrow(() ->
        new InvalidRecordException("procedureCode", "Procedure: choose one from the list."));
    Procedure p = new Procedure();
    p.setStatus(Procedure.ProcedureStatus.COMPLETED);
    p.setCode(concept(CodeLists.SNOMED, code.code(), code.display()).setText(code.display()));
    p.setSubject(patient(a));
    p.setPerformed(new DateTimeType(Date.from(a.time())));
    p.addPerformer().setActor(author(a));
    note(f, a).ifPresent(p::addNote);
    return p;
  }

  /**
   * The attached file as a DocumentReference whose one content holds the bytes (base64 in the
   * JSON), their kind as read from them, the file's name, size and time; the note is its
   * description (a DocumentReference has no notes).
   */
  private DocumentReference documentReference(ClinicalForm f, Authoring a) {
    AttachedFile file = f.getAttachment();
    if (file == null) throw new InvalidRecordException("attachment", "Attachment: choose a file.");
    // checked again here: a form filled by code (not the page) reaches this too
    AttachedFile checked = AttachedFile.of(file.name(), file.bytes());
    DocumentReference d = new DocumentReference();
    d.setStatus(Enumerations.DocumentReferenceStatus.CURRENT);
    d.setSubject(patient(a));
    d.setDate(Date.from(a.time()));
    d.addAuthor(author(a));
    String description = text(f.getNote(), "note", "Note");
    if (description != null) d.setDescription(description);
    d.addContent().setAttachment(new Attachment().setContentType(checked.mediaType()).setData(checked.bytes())
        .setTitle(checked.name()).setSize(checked.bytes().length).setCreationElement(new DateTimeType(Date.from(a.time()))));
    return d;
  }

  /**
   * The file a record holds (a DocumentReference's first attachment with data), its kind read
   * again from its bytes: what another program claimed as the content type is not trusted.
   */
  public java.util.Optional<AttachedFile> attachmentOf(RecordContent c) {
    Resource r = resourceOf(c);
    if (!(r instanceof DocumentReference d)) return java.util.Optional.empty();
    for (DocumentReference.DocumentReferenceContentComponent x : d.getContent()) {
      Attachment at = x.getAttachment();
      if (at.hasData()) {
        byte[] bytes = at.getData();
        String type = AttachedFile.detect(bytes);
        String name = AttachedFile.cleanName(at.getTitle(), type == null ? "application/octet-stream" : type);
        return java.util.Optional.of(new AttachedFile(name, type == null ? "application/octet-stream" : type, bytes));
      }
    }
    return java.util.Optional.empty();
  }

  /** A measured value: any sign, at most six decimals (a lab value is not money). */
  private static BigDecimal decimal(String s, String field, String label) {
    String t = trim(s);
    if (t == null || t.isEmpty()) throw new InvalidRecordException(field, label + ": enter a number.");
    try {
      BigDecimal v = new BigDecimal(t.replace(',', '.'));
      if (v.scale() > 6 || v.abs().compareTo(BigDecimal.valueOf(1_000_000_000)) > 0) {
        throw new InvalidRecordException(field, label + ": at most 1,000,000,000 with six decimals.");
      }
      return v;
    } catch (NumberFormatException e) {
      throw new InvalidRecordException(field, label + ": \"" + t + "\" is not a number.");
    }
  }

  private MedicationRequest prescription(ClinicalForm f, Authoring a) {
    CodeLists.Code med = medication(f);
    MedicationRequest m = new MedicationRequest();
    m.setStatus(MedicationRequest.MedicationRequestStatus.ACTIVE);
    m.setIntent(MedicationRequest.MedicationRequestIntent.ORDER);
    m.setMedication(concept(CodeLists.ATC, med.code(), med.display()).setText(med.display()));
    m.setSubject(patient(a));
    m.setAuthoredOn(Date.from(a.time()));
    m.setRequester(author(a));
    BigDecimal dose = number(f.getDose(), "dose", "Dose", false);
    int times = whole(f.getTimesPerDay(), "timesPerDay", "Times a day", 24);
    int days = whole(f.getDays(), "days", "Days", 365);
    Dosage d = new Dosage();
    d.setText(dosageText(dose, med.unit(), times, days));
    Timing.TimingRepeatComponent rep = new Timing.TimingRepeatComponent();
    rep.setFrequency(times).setPeriod(1).setPeriodUnit(Timing.UnitsOfTime.D);
    rep.setBounds(new Duration().setValue(days).setUnit("days").setSystem("http://unitsofmeasure.org").setCode("d"));
    d.setTiming(new Timing().setRepeat(rep));
    d.addDoseAndRate().setDose(new Quantity().setValue(dose).setUnit(med.unit()));
    m.addDosageInstruction(d);
    note(f, a).ifPresent(m::addNote);
    return m;
  }

  /**
   * The dispensing and its charge, together in one Bundle (type collection): the ChargeItem
   * names the MedicationDispense as its service. A standard resource rather than our own
   * extension on the dispense, so billing software reads the charge (docs/protocol.md).
   */
  private Resource dispensing(ClinicalForm f, Authoring a) {
    CodeLists.Code med = medication(f);
    MedicationDispense d = new MedicationDispense();
    d.setStatus(MedicationDispense.MedicationDispenseStatus.COMPLETED);
    d.setMedication(concept(CodeLists.ATC, med.code(), med.display()).setText(med.display()));
    d.setSubject(patient(a));
    d.addPerformer().setActor(author(a));
    int quantity = whole(f.getQuantity(), "quantity", "Quantity", 10_000);
    d.setQuantity((SimpleQuantity) new SimpleQuantity().setValue(quantity).setUnit(med.unit()));
    if (!blank(f.getDays())) {
      int days = whole(f.getDays(), "days", "Days", 365);
      d.setDaysSupply((SimpleQuantity) new SimpleQuantity().setValue(days).setUnit("days")
          .setSystem("http://unitsofmeasure.org").setCode("d"));
    }
    d.setWhenHandedOver(Date.from(a.time()));
    note(f, a).ifPresent(d::addNote);
    if (blank(f.getCharge())) return d;
    Money price = money(f.getCharge(), f.getCurrency(), "charge", "Charge");
    Bundle b = new Bundle();
    b.setType(Bundle.BundleType.COLLECTION);
    String dispenseUrl = "urn:uuid:" + UUID.randomUUID();
    b.addEntry().setFullUrl(dispenseUrl).setResource(d);
    ChargeItem c = new ChargeItem();
    c.setStatus(ChargeItem.ChargeItemStatus.BILLABLE);
    c.setCode(new CodeableConcept().setText("Dispensing of " + med.display()));
    c.setSubject(patient(a));
    c.setEnteredDate(Date.from(a.time()));
    c.setEnterer(author(a));
    c.setPriceOverride(price);
    c.addService(new Reference(dispenseUrl));
    b.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(c);
    return b;
  }

  private ClaimResponse decision(ClinicalForm f, Authoring a) {
    Outcome outcome = Outcome.of(f.getOutcome());
    ClaimResponse r = new ClaimResponse();
    r.setStatus(ClaimResponse.ClaimResponseStatus.ACTIVE);
    r.setType(concept("http://terminology.hl7.org/CodeSystem/claim-type", "institutional", "Institutional"));
    r.setUse(ClaimResponse.Use.CLAIM);
    r.setPatient(patient(a));
    r.setCreated(Date.from(a.time()));
    r.setInsurer(author(a));
    r.setOutcome(ClaimResponse.RemittanceOutcome.COMPLETE);
    r.setDisposition(outcome.words);
    Money claimed = money(f.getClaimed(), f.getCurrency(), "claimed", "Amount claimed");
    Money covered = outcome == Outcome.DECLINED && blank(f.getCovered())
        ? new Money().setValue(BigDecimal.ZERO.setScale(2)).setCurrency(claimed.getCurrency())
        : money(f.getCovered(), f.getCurrency(), "covered", "Amount covered");
    if (covered.getValue().compareTo(claimed.getValue()) > 0) {
      throw new InvalidRecordException("covered", "Amount covered: cannot be more than the amount claimed.");
    }
    if (outcome == Outcome.APPROVED && covered.getValue().compareTo(claimed.getValue()) != 0) {
      throw new InvalidRecordException("covered", "Amount covered: an approved claim covers the amount claimed; choose \"Partly approved\" otherwise.");
    }
    if (outcome == Outcome.DECLINED && covered.getValue().signum() != 0) {
      throw new InvalidRecordException("covered", "Amount covered: a declined claim covers nothing; choose \"Partly approved\" otherwise.");
    }
    r.addTotal().setCategory(concept(ADJUDICATION, "submitted", "Submitted Amount")).setAmount(claimed);
    r.addTotal().setCategory(concept(ADJUDICATION, "benefit", "Benefit Amount")).setAmount(covered);
    note(f, a).ifPresent(n -> r.addProcessNote().setText(n.getText()));
    return r;
  }

  private static final String ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication";

  /** The insurer's decision in people's words, kept as the ClaimResponse's disposition. */
  public enum Outcome {
    APPROVED("Approved"), PARTLY("Partly approved"), DECLINED("Declined");

    final String words;

    Outcome(String words) {
      this.words = words;
    }

    public String words() {
      return words;
    }

    static Outcome of(String s) {
      for (Outcome o : values()) if (o.name().equalsIgnoreCase(trim(s))) return o;
      throw new InvalidRecordException("outcome", "Decision: choose approved, partly approved or declined.");
    }
  }

  // ---------------------------------------------------------------- reading

  /** A record's content in people's words; never JSON. */
  public Readable read(RecordContent c) {
    if (!c.isFhirR4()) {
      if (c.isText()) return new Readable(null, null, c.text());
      return new Readable(null, null, "This record holds content this portal does not show (" + c.mediaType() + ").");
    }
    IBaseResource r;
    try {
      r = CTX.newJsonParser().parseResource(c.text());
    } catch (DataFormatException | ClassCastException e) {
      return new Readable(null, null, "This record's structured content could not be read.");
    }
    try {
      return readable((Resource) r);
    } catch (RuntimeException e) { // valid JSON of an odd shape (say, a Bundle entry without a resource) never breaks a page
      return new Readable(r.fhirType(), null, "This record's structured content could not be read.");
    }
  }

  /** The resource of a record, for the treatment's export (null for text or unreadable content). */
  Resource resourceOf(RecordContent c) {
    if (!c.isFhirR4()) return null;
    try {
      return (Resource) CTX.newJsonParser().parseResource(c.text());
    } catch (DataFormatException | ClassCastException e) {
      return null;
    }
  }

  private Readable readable(Resource r) {
    List<String> lines = new ArrayList<>();
    String kind = r.fhirType();
    String title;
    if (r instanceof Bundle b) {
      Resource main = b.getEntry().isEmpty() ? null : b.getEntryFirstRep().getResource();
      if (main == null) return new Readable("Bundle", null, "(an empty structured record)");
      Readable first = readable(main);
      lines.add(first.text());
      for (int i = 1; i < b.getEntry().size(); i++) lines.add(readable(b.getEntry().get(i).getResource()).text());
      return new Readable(first.kind(), first.title(), String.join("\n", lines));
    } else if (r instanceof Condition c) {
      title = Kind.DIAGNOSIS.title();
      lines.add("Diagnosis: " + codeLine(c.getCode()));
      if (c.getCode().hasText() && !c.getCode().getText().equals(display(c.getCode()))) lines.add("Details: " + c.getCode().getText());
      c.getNote().forEach(n -> lines.add("Note: " + n.getText()));
    } else if (r instanceof Observation o) {
      title = Kind.OBSERVATION.title();
      String value = o.hasValueQuantity()
          ? plain(o.getValueQuantity().getValue()) + (o.getValueQuantity().hasUnit() ? " " + o.getValueQuantity().getUnit() : "")
          : o.hasValueStringType() ? o.getValueStringType().getValue() : "(no value)";
      lines.add(display(o.getCode()) + ": " + value);
      o.getNote().forEach(n -> lines.add("Note: " + n.getText()));
    } else if (r instanceof Procedure p) {
      title = Kind.PROCEDURE.title();
      lines.add("Procedure: " + display(p.getCode()));
      p.getNote().forEach(n -> lines.add("Note: " + n.getText()));
    } else if (r instanceof MedicationRequest m) {
      title = Kind.PRESCRIPTION.title();
      lines.add("Medication: " + codeLine(m.getMedicationCodeableConcept()));
      m.getDosageInstruction().forEach(d -> lines.add("Dosage: " + d.getText()));
      m.getNote().forEach(n -> lines.add("Note: " + n.getText()));
    } else if (r instanceof MedicationDispense d) {
      title = Kind.DISPENSING.title();
      lines.add("Dispensed: " + codeLine(d.getMedicationCodeableConcept()));
      if (d.hasQuantity()) lines.add("Quantity: " + plain(d.getQuantity().getValue()) + " " + unitWord(d.getQuantity()));
      if (d.hasDaysSupply()) lines.add("Supply for: " + plain(d.getDaysSupply().getValue()) + " days");
      d.getNote().forEach(n -> lines.add("Note: " + n.getText()));
    } else if (r instanceof DocumentReference d) {
      title = Kind.ATTACHMENT.title();
      for (DocumentReference.DocumentReferenceContentComponent x : d.getContent()) {
        Attachment at = x.getAttachment();
        long size = at.hasData() ? at.getData().length : at.hasSize() ? at.getSize() : 0;
        String type = at.hasData() && AttachedFile.detect(at.getData()) != null ? AttachedFile.detect(at.getData()) : at.getContentType();
        lines.add("Attached: " + (at.hasTitle() ? at.getTitle() : "a file") + ", " + AttachedFile.typeWords(type) + ", " + AttachedFile.size(size));
      }
      if (d.hasDescription()) lines.add("Note: " + d.getDescription());
    } else if (r instanceof ChargeItem c) {
      title = "Charge";
      lines.add("Charge: " + amount(c.getPriceOverride()));
    } else if (r instanceof ClaimResponse cr) {
      title = Kind.DECISION.title();
      lines.add("Decision: " + (cr.hasDisposition() ? cr.getDisposition() : cr.getOutcome().getDisplay()));
      for (ClaimResponse.TotalComponent t : cr.getTotal()) {
        String cat = t.getCategory().getCodingFirstRep().getCode();
        String label = "submitted".equals(cat) ? "Amount claimed" : "benefit".equals(cat) ? "Amount covered" : display(t.getCategory());
        lines.add(label + ": " + amount(t.getAmount()));
      }
      cr.getProcessNote().forEach(n -> lines.add("Note: " + n.getText()));
    } else if (r instanceof Communication c) {
      title = null;
      c.getPayload().forEach(p -> lines.add(p.hasContentStringType() ? p.getContentStringType().getValue() : ""));
    } else {
      title = null;
      lines.add("A structured record (" + kind + ") this portal does not show in detail.");
    }
    return new Readable(kind, title, String.join("\n", lines));
  }

  /** "K35.8 Acute appendicitis, other and unspecified" (or the text when there is no code). */
  private static String codeLine(CodeableConcept c) {
    Coding coding = c.getCodingFirstRep();
    if (coding.hasCode()) {
      String name = coding.hasDisplay() ? coding.getDisplay() : c.getText();
      return CodeLists.ATC.equals(coding.getSystem()) ? name + " (" + coding.getCode() + ")" : coding.getCode() + " " + name;
    }
    return c.hasText() ? c.getText() : "(not given)";
  }

  private static String display(CodeableConcept c) {
    return c.getCodingFirstRep().hasDisplay() ? c.getCodingFirstRep().getDisplay() : c.getText();
  }

  private static String unitWord(Quantity q) {
    String u = q.hasUnit() ? q.getUnit() : "";
    return q.getValue() != null && q.getValue().compareTo(BigDecimal.ONE) != 0 && !u.endsWith("s") ? u + "s" : u;
  }

  /** "1,250.00 EUR" */
  private static String amount(Money m) {
    if (m == null || m.getValue() == null) return "(not given)";
    return String.format(Locale.ENGLISH, "%,.2f", m.getValue()) + (m.hasCurrency() ? " " + m.getCurrency() : "");
  }

  private static String plain(BigDecimal v) {
    return v == null ? "" : v.stripTrailingZeros().toPlainString();
  }

  // ---------------------------------------------------------------- the cover

  /** The tag that marks a Bundle as a treatment's cover (docs/protocol.md §Cover). */
  public static final String COVER_TAG_SYSTEM = "urn:medledger:record";
  public static final String COVER_TAG_CODE = "cover";

  /**
   * The cover's FHIR form, as the doctor writes it as the treatment's first record: one Bundle
   * (type collection, tagged {@value #COVER_TAG_SYSTEM}|{@value #COVER_TAG_CODE}) of the Patient
   * (name, birth date), the EpisodeOfCare (the treatment, titled by its type's text) and one
   * RelatedPerson per family member (name, and the member's per-treatment index as identifier).
   * Validated like every record before it is encrypted.
   */
  public RecordContent cover(org.medledger.core.record.Cover c) {
    Bundle b = new Bundle();
    b.setType(Bundle.BundleType.COLLECTION);
    b.getMeta().addTag(COVER_TAG_SYSTEM, COVER_TAG_CODE, "Treatment cover");
    String patientUrl = "urn:uuid:" + UUID.randomUUID();
    Patient p = new Patient();
    p.addName(new HumanName().setText(c.patientName()));
    if (c.birthDate() != null) p.setBirthDateElement(new org.hl7.fhir.r4.model.DateType(c.birthDate().toString()));
    b.addEntry().setFullUrl(patientUrl).setResource(p);
    org.hl7.fhir.r4.model.EpisodeOfCare episode = new org.hl7.fhir.r4.model.EpisodeOfCare();
    episode.setStatus(org.hl7.fhir.r4.model.EpisodeOfCare.EpisodeOfCareStatus.ACTIVE);
    episode.addType(new CodeableConcept().setText(c.title()));
    episode.setPatient(new Reference(patientUrl));
    b.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(episode);
    for (java.util.Map.Entry<Long, String> f : c.family().entrySet()) {
      org.hl7.fhir.r4.model.RelatedPerson rp = new org.hl7.fhir.r4.model.RelatedPerson();
      rp.addIdentifier().setSystem(Authoring.MEMBER_SYSTEM).setValue(org.medledger.core.record.ParticipantIndex.hex(f.getKey()));
      rp.setPatient(new Reference(patientUrl));
      rp.addName(new HumanName().setText(f.getValue()));
      b.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(rp);
    }
    return content(b);
  }

  /**
   * The cover a record holds in its FHIR form, or empty when it is not one (not a Bundle tagged
   * as a cover, no Patient or EpisodeOfCare, or names the cover's own rules refuse, such as an
   * empty title or a control character).
   */
  public java.util.Optional<org.medledger.core.record.Cover> coverOf(RecordContent c) {
    if (!(resourceOf(c) instanceof Bundle b)) return java.util.Optional.empty();
    if (b.getMeta().getTag(COVER_TAG_SYSTEM, COVER_TAG_CODE) == null) return java.util.Optional.empty();
    Patient patient = null;
    org.hl7.fhir.r4.model.EpisodeOfCare episode = null;
    java.util.Map<Long, String> family = new java.util.HashMap<>();
    try {
      for (Bundle.BundleEntryComponent e : b.getEntry()) {
        Resource r = e.getResource();
        if (r instanceof Patient x && patient == null) patient = x;
        else if (r instanceof org.hl7.fhir.r4.model.EpisodeOfCare x && episode == null) episode = x;
        else if (r instanceof org.hl7.fhir.r4.model.RelatedPerson x) {
          String id = x.getIdentifier().stream().filter(i -> Authoring.MEMBER_SYSTEM.equals(i.getSystem())).map(Identifier::getValue)
              .findFirst().orElse(null);
          if (id == null || !id.matches("[0-9a-f]{16}")) return java.util.Optional.empty();
          family.put(Long.parseUnsignedLong(id, 16), x.getNameFirstRep().getText());
        }
      }
      if (patient == null || episode == null) return java.util.Optional.empty();
      java.time.LocalDate birth = patient.hasBirthDateElement() && patient.getBirthDateElement().getValueAsString() != null
          && patient.getBirthDateElement().getValueAsString().length() == 10
          ? java.time.LocalDate.parse(patient.getBirthDateElement().getValueAsString()) : null;
      return java.util.Optional.of(new org.medledger.core.record.Cover(episode.getTypeFirstRep().getText(),
          patient.getNameFirstRep().getText(), birth, family));
    } catch (IllegalArgumentException | java.time.DateTimeException e) {
      return java.util.Optional.empty();
    }
  }

  // ---------------------------------------------------------------- export

  /**
   * The treatment as one FHIR Bundle (type collection): the patient from the cover, then every
   * record in ledger order, structured ones as their resources and text as a Communication.
   *
   * @param records per record, in ledger order: its id (κ, hex), content, author and time
   */
  public String bundle(String kappa0Hex, String patientId, String patientName, java.time.LocalDate birthDate,
      List<ExportedRecord> records, java.time.Instant at) {
    return bundle(kappa0Hex, patientId, patientName, birthDate, null, java.util.Map.of(), records, at);
  }

  /**
   * The treatment as one FHIR Bundle, as {@link #bundle(String, String, String, java.time.LocalDate, List,
   * java.time.Instant)}, with what its cover says: after the Patient, the treatment as an
   * EpisodeOfCare (its title, the treatment's identifier) and each family member as a
   * RelatedPerson (name, per-treatment index) — the same resources as the cover's FHIR form,
   * whose record itself is not exported.
   */
  public String bundle(String kappa0Hex, String patientId, org.medledger.core.record.Cover cover,
      List<ExportedRecord> records, java.time.Instant at) {
    return cover == null
        ? bundle(kappa0Hex, patientId, null, null, null, java.util.Map.of(), records, at)
        : bundle(kappa0Hex, patientId, cover.patientName(), cover.birthDate(), cover.title(), cover.family(), records, at);
  }

  /** The same, from the cover's parts (a null title: no EpisodeOfCare). */
  public String bundle(String kappa0Hex, String patientId, String patientName, java.time.LocalDate birthDate,
      String title, java.util.Map<Long, String> family, List<ExportedRecord> records, java.time.Instant at) {
    Bundle b = new Bundle();
    b.setType(Bundle.BundleType.COLLECTION);
    b.setIdentifier(new Identifier().setSystem("urn:medledger:treatment").setValue(kappa0Hex));
    b.setTimestamp(Date.from(at));
    Patient p = new Patient();
    p.setId(patientId);
    p.addIdentifier().setSystem(Authoring.MEMBER_SYSTEM).setValue(patientId);
    if (patientName != null) p.addName(new HumanName().setText(patientName));
    if (birthDate != null) p.setBirthDate(java.sql.Date.valueOf(birthDate));
    String patientUrl = "urn:uuid:" + UUID.nameUUIDFromBytes(("patient:" + kappa0Hex).getBytes(StandardCharsets.UTF_8));
    b.addEntry().setFullUrl(patientUrl).setResource(p);
    if (title != null) {
      org.hl7.fhir.r4.model.EpisodeOfCare episode = new org.hl7.fhir.r4.model.EpisodeOfCare();
      episode.setId("treatment");
      episode.addIdentifier().setSystem("urn:medledger:treatment").setValue(kappa0Hex);
      episode.setStatus(org.hl7.fhir.r4.model.EpisodeOfCare.EpisodeOfCareStatus.ACTIVE);
      episode.addType(new CodeableConcept().setText(title));
      episode.setPatient(new Reference(patientUrl));
      b.addEntry().setFullUrl("urn:uuid:" + UUID.nameUUIDFromBytes(("treatment:" + kappa0Hex).getBytes(StandardCharsets.UTF_8)))
          .setResource(episode);
    }
    for (java.util.Map.Entry<Long, String> f : new java.util.TreeMap<>(family).entrySet()) {
      String index = org.medledger.core.record.ParticipantIndex.hex(f.getKey());
      org.hl7.fhir.r4.model.RelatedPerson rp = new org.hl7.fhir.r4.model.RelatedPerson();
      rp.setId("family-" + index);
      rp.addIdentifier().setSystem(Authoring.MEMBER_SYSTEM).setValue(index);
      rp.setPatient(new Reference(patientUrl));
      rp.addName(new HumanName().setText(f.getValue()));
      b.addEntry().setFullUrl("urn:uuid:" + UUID.nameUUIDFromBytes(("family:" + index + ":" + kappa0Hex).getBytes(StandardCharsets.UTF_8)))
          .setResource(rp);
    }
    for (ExportedRecord e : records) {
      Resource r = resourceOf(e.content());
      List<Resource> parts = new ArrayList<>();
      if (r instanceof Bundle inner) {
        for (Bundle.BundleEntryComponent x : inner.getEntry()) parts.add(x.getResource());
      } else if (r != null) {
        parts.add(r);
      } else {
        Communication c = new Communication();
        c.setStatus(Communication.CommunicationStatus.COMPLETED);
        c.setSubject(new Reference().setIdentifier(new Identifier().setSystem(Authoring.MEMBER_SYSTEM).setValue(patientId))
            .setDisplay(patientName));
        c.setSender(new Reference().setIdentifier(new Identifier().setSystem(Authoring.MEMBER_SYSTEM).setValue(e.authorId()))
            .setDisplay(e.authorName()));
        c.setSent(Date.from(e.time()));
        c.addPayload().setContent(new StringType(e.content().isText() ? e.content().text() : "(" + e.content().mediaType() + ")"));
        parts.add(c);
      }
      int n = 0;
      for (Resource part : parts) {
        part.setId(e.id().substring(0, Math.min(e.id().length(), 60)) + (parts.size() > 1 ? "-" + n : ""));
        b.addEntry().setFullUrl("urn:uuid:" + UUID.nameUUIDFromBytes((e.id() + ":" + n).getBytes(StandardCharsets.UTF_8)))
            .setResource(part);
        n++;
      }
    }
    return CTX.newJsonParser().setPrettyPrint(true).encodeResourceToString(b);
  }

  /** One record for the export: κ as hex, its content, who wrote it and when. */
  public record ExportedRecord(String id, RecordContent content, String authorId, String authorName, java.time.Instant time) {}

  /** A JSON document as the export carries it, parsed back (for tests and for checking an export). */
  public IBaseResource parse(String json) {
    return strictParser().parseResource(json);
  }

  // ---------------------------------------------------------------- fields

  private static CodeableConcept concept(String system, String code, String display) {
    return new CodeableConcept().addCoding(new Coding(system, code, display));
  }

  private static Reference patient(Authoring a) {
    return new Reference().setIdentifier(new Identifier().setSystem(Authoring.MEMBER_SYSTEM).setValue(a.patientId()))
        .setDisplay(a.patientName());
  }

  private static Reference author(Authoring a) {
    String who = a.institution() == null || a.institution().isBlank() ? a.authorName() : a.authorName() + ", " + a.institution();
    return new Reference().setIdentifier(new Identifier().setSystem(Authoring.MEMBER_SYSTEM).setValue(a.authorId()))
        .setDisplay(who);
  }

  private static java.util.Optional<Annotation> note(ClinicalForm f, Authoring a) {
    String n = text(f.getNote(), "note", "Note");
    if (n == null) return java.util.Optional.empty();
    return java.util.Optional.of(new Annotation().setText(n).setTime(Date.from(a.time())));
  }

  private static CodeLists.Code medication(ClinicalForm f) {
    return CodeLists.medication(trim(f.getMedication())).orElseThrow(() ->
        new InvalidRecordException("medication", "Medication: choose one from the list."));
  }

  private static String dosageText(BigDecimal dose, String unit, int times, int days) {
    String often = switch (times) {
      case 1 -> "once a day";
      case 2 -> "twice a day";
      case 3 -> "three times a day";
      default -> times + " times a day";
    };
    String units = dose.compareTo(BigDecimal.ONE) == 0 ? unit : unit + "s";
    return plain(dose) + " " + units + " " + often + " for " + days + (days == 1 ? " day" : " days");
  }

  private static String text(String s, String field, String label) {
    String t = trim(s);
    if (t == null || t.isEmpty()) return null;
    if (t.length() > MAX_TEXT) throw new InvalidRecordException(field, label + ": at most " + MAX_TEXT + " characters.");
    return t;
  }

  private static BigDecimal number(String s, String field, String label, boolean zeroAllowed) {
    String t = trim(s);
    if (t == null || t.isEmpty()) throw new InvalidRecordException(field, label + ": enter a number.");
    BigDecimal v;
    try {
      v = new BigDecimal(t.replace(',', '.'));
    } catch (NumberFormatException e) {
      throw new InvalidRecordException(field, label + ": \"" + t + "\" is not a number.");
    }
    if (v.signum() < 0 || (!zeroAllowed && v.signum() == 0)) {
      throw new InvalidRecordException(field, label + ": must be more than zero.");
    }
    if (v.compareTo(BigDecimal.valueOf(100_000_000)) > 0 || v.scale() > 2) {
      throw new InvalidRecordException(field, label + ": at most 100,000,000 with two decimals.");
    }
    return v;
  }

  private static int whole(String s, String field, String label, int max) {
    BigDecimal v = number(s, field, label, false);
    if (v.stripTrailingZeros().scale() > 0) throw new InvalidRecordException(field, label + ": enter a whole number.");
    if (v.compareTo(BigDecimal.valueOf(max)) > 0) throw new InvalidRecordException(field, label + ": at most " + max + ".");
    return v.intValue();
  }

  private static Money money(String s, String currency, String field, String label) {
    BigDecimal v = number(s, field, label, true).setScale(2, RoundingMode.UNNECESSARY);
    String cur = trim(currency);
    if (cur == null || !CodeLists.CURRENCIES.contains(cur)) {
      throw new InvalidRecordException("currency", "Currency: choose one of " + String.join(", ", CodeLists.CURRENCIES) + ".");
    }
    return new Money().setValue(v).setCurrency(cur);
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static String trim(String s) {
    return s == null ? null : s.strip();
  }

}

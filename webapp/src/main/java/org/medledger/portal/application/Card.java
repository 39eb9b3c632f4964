package org.medledger.portal.application;

import java.util.Base64;
import java.util.Locale;
import org.medledger.core.crypto.CryptoException;
import org.medledger.core.crypto.P256;
import org.medledger.core.record.ParticipantIndex;
import org.medledger.core.record.Role;

/**
 * A participant's card, as text and in its QR code: {@code medledger-card:1:<role>:<ind_x>:<vk_x
 * Base64url>}. The index is checked against the key, so a card cannot name someone else.
 */
public record Card(Role role, long index, byte[] publicKey) {
  public static final String PREFIX = "medledger-card:1:";

  public String text() {
    return PREFIX + role.name().toLowerCase(Locale.ROOT) + ":" + ParticipantIndex.hex(index) + ":"
        + Base64.getUrlEncoder().withoutPadding().encodeToString(publicKey);
  }

  public static Card parse(String text) {
    String t = text == null ? "" : text.trim();
    if (!t.startsWith(PREFIX)) {
      throw new PortalException("This is not a MedLedger participant card (it starts with " + PREFIX + ").");
    }
    String[] parts = t.substring(PREFIX.length()).split(":");
    if (parts.length != 3) throw new PortalException("The participant card is damaged.");
    try {
      Role role = Role.fromName(parts[0]);
      long index = ParticipantIndex.parse(parts[1]);
      byte[] key = Base64.getUrlDecoder().decode(parts[2]);
      P256.decodePoint(key);
      if (ParticipantIndex.of(key) != index) throw new PortalException("The participant card is damaged (index and key differ).");
      return new Card(role, index, key);
    } catch (IllegalArgumentException | CryptoException e) {
      throw new PortalException("The participant card is damaged.");
    }
  }
}

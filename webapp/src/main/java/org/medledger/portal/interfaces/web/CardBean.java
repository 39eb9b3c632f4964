package org.medledger.portal.interfaces.web;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.Base64;
import org.medledger.portal.application.AccountService;
import org.medledger.portal.application.Card;
import org.medledger.portal.application.DirectoryService;
import org.medledger.portal.infrastructure.qr.QrCodes;
import org.medledger.portal.security.UserSession;

/** My card: index, role, public key as text and QR code (PNG download). */
@Named
@RequestScoped
public class CardBean {
  @Inject AccountService accounts;
  @Inject UserSession session;
  @Inject QrCodes qr;

  private AccountService.AccountView account;
  private String text;
  private String dataUri;

  private AccountService.AccountView account() {
    if (account == null) account = accounts.view(session.getUsername()).orElseThrow();
    return account;
  }

  public AccountService.AccountView getAccount() {
    return account();
  }

  public String getText() {
    if (text == null) {
      byte[] vk = Base64.getUrlDecoder().decode(account().publicKeyBase64Url());
      text = new Card(account().role(), session.actor().index(), vk).text();
    }
    return text;
  }

  public String getQr() {
    if (dataUri == null) dataUri = qr.dataUri(getText(), 320);
    return dataUri;
  }

  public String getFingerprint() {
    return DirectoryService.fingerprint(Base64.getUrlDecoder().decode(account().publicKeyBase64Url()));
  }

  public String getFileName() {
    return "medledger-card-" + account().indexHex() + ".png";
  }

  /** The account's organisation in people's words. */
  public String getOrganisation() {
    return DirectoryService.organisationName(account().mspId());
  }
}

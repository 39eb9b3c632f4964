package org.medledger.portal.interfaces.web;

import jakarta.faces.application.FacesMessage;
import jakarta.faces.component.UIComponent;
import jakarta.faces.component.UIInput;
import jakarta.faces.context.FacesContext;

/**
 * FacesMessages for the page being rendered. A message about the page as a whole goes to the
 * form's message list; one about a field ({@link #field}) stands next to that field, in the
 * field's p:message, and marks the field invalid. Each message is shown in one place only
 * (the layout's pop-up shows only what no part of the page did).
 */
public final class Messages {
  private Messages() {}

  static void error(String text) {
    FacesContext.getCurrentInstance().addMessage(null, new FacesMessage(FacesMessage.SEVERITY_ERROR, text, null));
  }

  static void info(String text) {
    FacesContext.getCurrentInstance().addMessage(null, new FacesMessage(FacesMessage.SEVERITY_INFO, text, null));
  }

  /** An error about one field ({@code clientId}, e.g. "register:password2"), shown next to it. */
  public static void field(String clientId, String text) {
    FacesContext fc = FacesContext.getCurrentInstance();
    fc.addMessage(clientId, new FacesMessage(FacesMessage.SEVERITY_ERROR, text, null));
    UIComponent c = fc.getViewRoot().findComponent(clientId);
    if (c instanceof UIInput input) input.setValid(false);
    fc.validationFailed();
  }

  /** Keeps messages across a redirect. */
  static void keep() {
    FacesContext.getCurrentInstance().getExternalContext().getFlash().setKeepMessages(true);
  }
}

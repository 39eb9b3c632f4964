package org.medledger.portal.interfaces.web;

import jakarta.faces.FacesException;
import jakarta.faces.application.ViewExpiredException;
import jakarta.faces.context.ExceptionHandler;
import jakarta.faces.context.ExceptionHandlerFactory;
import jakarta.faces.context.ExceptionHandlerWrapper;
import jakarta.faces.context.ExternalContext;
import jakarta.faces.context.FacesContext;
import jakarta.faces.event.ExceptionQueuedEvent;
import java.io.IOException;
import java.util.Iterator;
import java.util.logging.Logger;

/**
 * A post whose view state this portal does not hold — the session expired, or the state was
 * made up — is the client's error, not the server's: a plain 400 page (an Ajax request is
 * sent to the login page instead), one line in the log, no stack trace. Every other exception
 * goes on to the container, which logs it and shows the plain 500 page (web.xml).
 */
public class ViewStateExceptionHandlerFactory extends ExceptionHandlerFactory {
  private static final Logger LOG = Logger.getLogger(ViewStateExceptionHandlerFactory.class.getName());

  public ViewStateExceptionHandlerFactory(ExceptionHandlerFactory wrapped) {
    super(wrapped);
  }

  @Override
  public ExceptionHandler getExceptionHandler() {
    return new Handler(getWrapped().getExceptionHandler());
  }

  private static final class Handler extends ExceptionHandlerWrapper {
    Handler(ExceptionHandler wrapped) {
      super(wrapped);
    }

    @Override
    public void handle() {
      FacesContext fc = FacesContext.getCurrentInstance();
      for (Iterator<ExceptionQueuedEvent> it = getUnhandledExceptionQueuedEvents().iterator(); it.hasNext(); ) {
        Throwable t = it.next().getContext().getException();
        while (!(t instanceof ViewExpiredException) && t instanceof FacesException && t.getCause() != null) {
          t = t.getCause();
        }
        if (t instanceof ViewExpiredException && fc != null && !fc.getResponseComplete()) {
          it.remove();
          answer(fc, ((ViewExpiredException) t).getViewId());
        }
      }
      getWrapped().handle();
    }

    private static void answer(FacesContext fc, String viewId) {
      ExternalContext ec = fc.getExternalContext();
      LOG.info(() -> "a post to " + viewId + " carried a view state this portal does not hold (expired or forged): answered 400");
      try {
        if (fc.getPartialViewContext().isAjaxRequest()) {
          ec.redirect(ec.getRequestContextPath() + "/login.xhtml");
        } else {
          ec.responseSendError(400, null);
        }
      } catch (IOException e) {
        LOG.fine(() -> "could not answer an expired view: " + e);
      }
      fc.responseComplete();
    }
  }
}

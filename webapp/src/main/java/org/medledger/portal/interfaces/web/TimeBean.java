package org.medledger.portal.interfaces.web;

import jakarta.enterprise.context.RequestScoped;
import jakarta.faces.context.FacesContext;
import jakarta.inject.Named;
import jakarta.servlet.http.Cookie;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;

/** {@code #{time.format(t)}} and {@code #{time.day(t)}} on the pages, in the viewer's time zone. */
@Named("time")
@RequestScoped
public class TimeBean {
  private ReadableTime readable;

  private ReadableTime readable() {
    if (readable == null) {
      FacesContext fc = FacesContext.getCurrentInstance();
      Map<String, Object> cookies = fc == null ? Map.of() : fc.getExternalContext().getRequestCookieMap();
      Object c = cookies.get(ReadableTime.COOKIE);
      readable = new ReadableTime(ReadableTime.zone(c instanceof Cookie k ? k.getValue() : null, ZoneId.systemDefault()));
    }
    return readable;
  }

  public String format(Instant t) {
    return readable().format(t);
  }

  public String day(Instant t) {
    return readable().day(t);
  }
}

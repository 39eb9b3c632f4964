// Tells the portal the browser's time zone (cookie ml-tz), so that times are shown in it
// (ReadableTime). Without it, or with a zone the server does not know, the server's zone is used.
(function () {
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone) return;
    var value = encodeURIComponent(zone);
    if (document.cookie.split('; ').indexOf('ml-tz=' + value) < 0) {
      document.cookie = 'ml-tz=' + value + '; path=/; max-age=31536000; SameSite=Lax';
    }
  } catch (e) {
    // an old browser: the server's zone stays
  }
})();

// The case file page: the Print button, and "Printed ... on <now>" set when the page is printed
// (the page may have been open a while), in the browser's zone and the portal's format
// ("3 Mar 2026, 14:05", as ReadableTime writes it).
(function () {
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  function two(n) { return (n < 10 ? '0' : '') + n; }
  function stamp() {
    var at = document.getElementById('printedAt');
    if (!at) return;
    var d = new Date();
    at.textContent = d.getDate() + ' ' + MONTHS[d.getMonth()] + ' ' + d.getFullYear() + ', ' + two(d.getHours()) + ':' + two(d.getMinutes());
    var zone = document.getElementById('printedZone');
    try {
      var id = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone && id) zone.textContent = id;
    } catch (e) {
      // the server's zone stays named
    }
  }
  window.addEventListener('beforeprint', stamp);
  var button = document.getElementById('printButton');
  if (button) button.addEventListener('click', function () { window.print(); });
})();

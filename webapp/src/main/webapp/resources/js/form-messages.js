/*
 * Messages for assistive technology.
 *
 * PrimeFaces' message list marks each <li> role="alert", which takes it out of its list (a
 * list may hold only list items); the list's box already is a live region (aria-live), so the
 * alert role moves to the box of each severity and the items stay list items.
 *
 * Ties each field's message to its field: the message of field "f" is the element "fMessage"
 * (a p:message next to the field). Its input (or, for a drop-down, the element that takes the
 * focus) gets aria-describedby pointing at the message and aria-invalid while it holds an
 * error, so a screen reader reads the error with the field. Runs on load and after every
 * Ajax update. External file: no inline script under the Content-Security-Policy.
 */
(function () {
  'use strict';
  function input(field) {
    var focus = document.getElementById(field + '_focus');
    if (focus) return focus;
    var el = document.getElementById(field);
    if (!el) return null;
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) return el;
    return el.querySelector('input:not([type=hidden]),textarea,select');
  }
  function listRoles() {
    var items = document.querySelectorAll('.ui-messages li[role=alert]');
    for (var i = 0; i < items.length; i++) {
      var box = items[i].parentNode && items[i].parentNode.parentNode;
      if (box && box.classList && box.className.indexOf('ui-messages-') >= 0) box.setAttribute('role', 'alert');
      items[i].removeAttribute('role');
      items[i].removeAttribute('aria-atomic');
    }
  }
  function link() {
    listRoles();
    var messages = document.querySelectorAll('.ui-message[id$="Message"]');
    for (var i = 0; i < messages.length; i++) {
      var m = messages[i];
      var field = input(m.id.substring(0, m.id.length - 'Message'.length));
      if (!field) continue;
      var ids = (field.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
      if (ids.indexOf(m.id) < 0) ids.push(m.id);
      field.setAttribute('aria-describedby', ids.join(' '));
      if (m.textContent.trim()) field.setAttribute('aria-invalid', 'true');
      else field.removeAttribute('aria-invalid');
    }
  }
  function start() {
    link();
    if (window.jQuery) window.jQuery(document).on('pfAjaxComplete', link);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();

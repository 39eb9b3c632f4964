/*
 * The side menu on a narrow screen: the "Menu" button (#menuToggle) opens and closes it and
 * says so (aria-expanded); Escape closes it and gives the focus back to the button. On a wide
 * screen the button is hidden and the menu always shown (portal.css). An external file bound
 * by event delegation, so it works under the Content-Security-Policy without inline scripts.
 */
(function () {
  'use strict';
  function parts() {
    var button = document.getElementById('menuToggle');
    var menu = button && document.getElementById(button.getAttribute('aria-controls'));
    return menu ? {button: button, menu: menu} : null;
  }
  function set(p, open) {
    p.button.setAttribute('aria-expanded', open ? 'true' : 'false');
    p.menu.classList.toggle('ml-menu-open', open);
  }
  document.addEventListener('click', function (event) {
    var p = parts();
    if (!p || !event.target.closest) return;
    if (event.target.closest('#menuToggle')) {
      set(p, p.button.getAttribute('aria-expanded') !== 'true');
    }
  });
  document.addEventListener('keydown', function (event) {
    if (event.key !== 'Escape') return;
    var p = parts();
    if (p && p.button.getAttribute('aria-expanded') === 'true') {
      set(p, false);
      p.button.focus();
    }
  });
})();

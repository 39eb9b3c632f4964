/*
 * Client-side check of a picture upload field (the server checks again): a file above the
 * field's data-max-bytes is cleared at once and the hint below the field says why, so nobody
 * uploads 8 MB to be told "too large". External file, bound by event delegation, so it works
 * under a Content-Security-Policy without inline scripts.
 */
(function () {
  'use strict';
  document.addEventListener('change', function (event) {
    var input = event.target;
    if (!input || input.type !== 'file' || !input.getAttribute('data-max-bytes')) {
      return;
    }
    var max = Number(input.getAttribute('data-max-bytes'));
    var note = document.getElementById((input.getAttribute('aria-describedby') || '').split(/\s+/)[0]);
    if (note && note.getAttribute('data-hint') === null) {
      note.setAttribute('data-hint', note.textContent);
    }
    var file = input.files && input.files[0];
    if (file && file.size > max) {
      input.value = '';
      if (note) {
        note.textContent = 'This file is ' + (file.size / 1048576).toFixed(1) + ' MB, too large: '
            + note.getAttribute('data-hint');
        note.classList.add('ml-upload-error');
      }
    } else if (note) {
      note.textContent = note.getAttribute('data-hint');
      note.classList.remove('ml-upload-error');
    }
  });
})();

/*
 * Live QR scanning from the device camera with ZXing's browser port (zxing-browser-*.min.js,
 * loaded before this file). A page marks a block with class "ml-camera" and says, in data
 * attributes, where the code's text goes and which button sends it:
 *   data-camera-field   id of the text field the decoded text is written into
 *   data-camera-submit  id of the button that submits the form (the same one a person clicks)
 *   data-camera-clear   id of a file field emptied first, so an earlier chosen picture does not win
 * The browser only reads the code: the server checks it exactly as a pasted or uploaded one, so
 * validation and its messages stay in one place. External file bound by event listeners, so it
 * runs under the portal's Content-Security-Policy (no inline script, no eval).
 */
(function () {
  'use strict';

  var NO_CAMERA = 'No camera found \u2014 upload a picture instead.';
  /** Errors of one frame that only mean "no readable code in this picture yet". */
  var RETRY = {NotFoundException: true, ChecksumException: true, FormatException: true};
  /** The sizes each frame is tried at, in turn, as a fraction of the camera's own. */
  var SIZES = [1, 0.75, 0.5, 1.25, 1.5, 0.6, 0.4, 0.3];
  var BETWEEN_ATTEMPTS_MS = 150;

  function kindOf(error) {
    return error && error.constructor && error.constructor.kind;
  }

  function messageFor(error) {
    var name = error && error.name;
    if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') {
      return 'The camera was not allowed. Allow it in the browser, or upload a picture instead.';
    }
    if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') {
      return NO_CAMERA;
    }
    if (name === 'NotReadableError' || name === 'TrackStartError' || name === 'AbortError') {
      return 'The camera is busy (another app may be using it). Close it, or upload a picture instead.';
    }
    return 'The camera could not be started. Upload a picture instead.';
  }

  function setUp(box) {
    var start = box.querySelector('.ml-camera-start');
    var stop = box.querySelector('.ml-camera-stop');
    var video = box.querySelector('.ml-camera-video');
    var status = box.querySelector('.ml-camera-status');
    var field = document.getElementById(box.getAttribute('data-camera-field'));
    var submit = document.getElementById(box.getAttribute('data-camera-submit'));
    var clear = document.getElementById(box.getAttribute('data-camera-clear') || '');
    var controls = null;
    var running = false;

    function say(text) {
      status.textContent = text;
    }

    function show(el, visible) {
      if (visible) el.removeAttribute('hidden');
      else el.setAttribute('hidden', 'hidden');
    }

    function idle() {
      running = false;
      controls = null;
      show(video, false);
      show(stop, false);
      show(start, true);
      start.disabled = false;
    }

    function noCamera(text) {
      idle();
      show(start, false);
      say(text || NO_CAMERA);
    }

    function halt() {
      var c = controls;
      controls = null;
      running = false;
      if (c) c.stop();
    }

    function read(text) {
      halt();
      say('QR code read. Sending it\u2026');
      field.value = text;
      if (clear) clear.value = '';
      submit.click();
    }

    function cameraLost() {
      halt();
      idle();
      say('The camera stopped. Try again, or upload a picture instead.');
    }

    /*
     * Reads the video a frame at a time, each attempt at the next of SIZES. ZXing's browser port
     * misses some codes at one size in every frame however sharp the picture (its grid sampling
     * gives up: "NotFoundException" in checkAndNudgePoints) and reads them at another; a code on a
     * phone's screen held up to the camera is such a still, sharp picture. The size is taken from
     * the video at each attempt, so a camera that changes its resolution (a phone turned on its
     * side) is read whole.
     */
    function scan(reader, canvas) {
      var context = canvas.getContext('2d', {willReadFrequently: true}) || canvas.getContext('2d');
      var attempt = 0;
      var timer = null;
      function tick() {
        timer = null;
        if (!running) return;
        if (video.readyState >= 2 && video.videoWidth > 0) {
          var size = SIZES[attempt++ % SIZES.length];
          canvas.width = Math.round(video.videoWidth * size);
          canvas.height = Math.round(video.videoHeight * size);
          context.drawImage(video, 0, 0, canvas.width, canvas.height);
          try {
            read(reader.decodeFromCanvas(canvas).getText());
            return;
          } catch (error) {
            if (!RETRY[kindOf(error)]) {
              cameraLost();
              return;
            }
          }
        }
        timer = setTimeout(tick, BETWEEN_ATTEMPTS_MS);
      }
      tick();
      return function () {
        if (timer !== null) clearTimeout(timer);
        timer = null;
      };
    }

    start.addEventListener('click', function () {
      if (running) return;
      running = true;
      start.disabled = true;
      say('Starting the camera\u2026');
      // The back camera of a phone when there is one; a sharper picture when the camera offers it.
      var constraints = {audio: false, video: {facingMode: {ideal: 'environment'}, width: {ideal: 1280}, height: {ideal: 720}}};
      show(video, true);
      navigator.mediaDevices.getUserMedia(constraints).then(function (stream) {
        var tracks = stream.getTracks();
        function release() {
          tracks.forEach(function (t) { t.stop(); });
          video.pause();
          video.srcObject = null;
        }
        if (!running) {
          // Stopped while the camera was starting.
          release();
          return;
        }
        var endScan = null;
        controls = {stop: function () { if (endScan) endScan(); release(); }};
        tracks.forEach(function (t) {
          t.addEventListener('ended', function () {
            if (controls) cameraLost(); // unplugged, or taken by the system
          });
        });
        show(start, false);
        show(stop, true);
        say('Hold the QR code in front of the camera.');
        // Muted and inline (camera.xhtml), so it plays without a further tap, on phones too.
        video.srcObject = stream;
        var play = video.play();
        if (play && play.catch) play.catch(function () { /* the loop waits for frames either way */ });
        endScan = scan(new window.ZXingBrowser.BrowserQRCodeReader(), document.createElement('canvas'));
      }, function (error) {
        var text = messageFor(error);
        if (text === NO_CAMERA) {
          noCamera();
        } else {
          idle();
          say(text);
        }
      });
    });

    stop.addEventListener('click', function () {
      halt();
      idle();
      say('Camera stopped.');
      start.focus();
    });

    // Leaving the page turns the camera off (and its light with it).
    window.addEventListener('pagehide', halt);

    if (!window.ZXingBrowser || !field || !submit) {
      return; // nothing to scan with or into: the upload alone remains
    }
    if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      noCamera('The camera works only over a secure (https) connection \u2014 upload a picture instead.');
      return;
    }
    navigator.mediaDevices.enumerateDevices().then(function (devices) {
      var cameras = devices.filter(function (d) { return d.kind === 'videoinput'; });
      if (cameras.length === 0) {
        noCamera();
      } else {
        idle();
      }
    }, function () {
      idle(); // the list is not available: let getUserMedia say whether there is a camera
    });
  }

  function init() {
    var boxes = document.querySelectorAll('.ml-camera');
    for (var i = 0; i < boxes.length; i++) setUp(boxes[i]);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();

/* "Copy citation" in one click. Without JavaScript the citation is still in
   the page, in a text box to select and copy by hand. */
(function () {
  "use strict";

  function fallbackCopy(box) {
    box.closest("details").open = true;
    box.focus();
    box.select();
    try {
      return document.execCommand("copy");
    } catch (e) {
      return false;
    }
  }

  function say(button, text) {
    var status = button.parentNode.querySelector(".copy-status");
    if (status) status.textContent = text;
  }

  function copy(button) {
    var box = document.getElementById(button.getAttribute("data-copy-target"));
    if (!box) return;
    var text = box.value;
    var done = function () { say(button, "Citation copied."); };
    var manual = function () {
      if (fallbackCopy(box)) done();
      else say(button, "Press Ctrl+C (or \u2318+C) to copy the selected citation.");
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, manual);
    } else {
      manual();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("button.copy-button[data-copy-target]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { copy(button); });
    });
  });
})();

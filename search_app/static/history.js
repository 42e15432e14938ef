/* Keep the search box in step with the results on screen. A page brought back
   by the browser's back or forward buttons may keep whatever was last typed
   into its box, a question whose results are not the ones shown. */
(function () {
  "use strict";

  function fromHistory(event) {
    if (event.persisted) return true;
    var nav = window.performance && performance.getEntriesByType
      ? performance.getEntriesByType("navigation")[0] : null;
    return Boolean(nav && nav.type === "back_forward");
  }

  window.addEventListener("pageshow", function (event) {
    var box = document.getElementById("q");
    if (box && fromHistory(event) && box.value !== box.defaultValue) {
      box.value = box.defaultValue;
    }
  });
})();

// Progressive touches only: every page works without this file.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var button = form.querySelector(".js-confirm");
  if (button && !window.confirm("Delete this for good?")) {
    event.preventDefault();
  }
});

// Keyboard focus goes back where the reader was: after Follow, Favorite or a new comment
// the server sends the page back with "#id" of that button or comment; focus it.
(function () {
  "use strict";
  function focusTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (target && (target.tabIndex >= 0 || target.hasAttribute("tabindex"))) {
      target.focus();
    }
  }
  // A link of the error summary puts the keyboard in the field it names.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (field) {
      event.preventDefault();
      field.focus();
    }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusTarget);
  } else {
    focusTarget();
  }
})();

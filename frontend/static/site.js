// Progressive touches only: every page works without this file.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var button = form.querySelector(".js-confirm");
  if (button && !window.confirm("Delete this for good?")) {
    event.preventDefault();
  }
});

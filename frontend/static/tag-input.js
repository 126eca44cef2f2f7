// Tags as removable pills in the editor. Progressive: without this file the
// field is the plain text input the server reads ("python, web flask").
//
// The visible input keeps its id, label, placeholder and error description and
// is only where new tags are typed; a hidden twin takes over its name and
// always holds the pills (and any half-typed tag) joined by spaces, so the
// server parses one format whether or not this script ran.
(function () {
  "use strict";
  var SEPARATORS = /[,\s]+/; // the same as frontend.forms.parse_tags
  var pressing = false; // a mouse button is down somewhere on the page
  document.addEventListener("pointerdown", function () { pressing = true; });
  document.addEventListener("pointerup", function () { pressing = false; });

  function enhance(input) {
    var box = document.createElement("div");
    var list = document.createElement("ul");
    var submitted = document.createElement("input");
    var tags = [];
    box.className = "tag-input";
    list.className = "tag-list";
    submitted.type = "hidden";
    submitted.name = input.name;
    input.removeAttribute("name");
    input.parentNode.insertBefore(box, input);
    box.append(list, input, submitted);

    function sync() {
      submitted.value = tags.concat(input.value.trim()).join(" ").trim();
    }

    function add(text) {
      text.split(SEPARATORS).forEach(function (tag) {
        if (tag && tags.indexOf(tag) === -1) {
          tags.push(tag);
          list.append(pill(tag));
        }
      });
    }

    function pill(tag) {
      var item = document.createElement("li");
      var name = document.createElement("span");
      var remove = document.createElement("button");
      item.className = "tag tag-removable";
      name.textContent = tag;
      remove.type = "button";
      remove.className = "tag-remove";
      remove.setAttribute("aria-label", "Remove tag " + tag);
      remove.addEventListener("click", function () {
        removeTag(tag);
        input.focus(); // the button is gone; keep the keyboard in the field
      });
      item.append(name, remove);
      return item;
    }

    function removeTag(tag) {
      var index = tags.indexOf(tag);
      tags.splice(index, 1);
      list.children[index].remove();
      sync();
    }

    function commit() {
      add(input.value);
      input.value = "";
      sync();
    }

    input.addEventListener("input", function () {
      // A typed or pasted separator finishes every tag before it.
      var parts = input.value.split(SEPARATORS);
      if (parts.length > 1) {
        input.value = parts.pop();
        add(parts.join(" "));
      }
      sync();
    });
    input.addEventListener("keydown", function (event) {
      if (event.isComposing) return; // Enter confirms an IME composition
      if (event.key === "Enter") {
        event.preventDefault(); // adds the tag instead of submitting the form
        commit();
      } else if (event.key === "Backspace" && input.value === "" && tags.length) {
        removeTag(tags[tags.length - 1]);
      }
    });
    input.addEventListener("blur", function () {
      // Pressing "Publish" blurs the field before the press ends: a pill added
      // now could move the button from under the pointer and lose the click.
      if (pressing) document.addEventListener("pointerup", commit, { once: true });
      else commit();
    });
    box.addEventListener("click", function (event) {
      if (event.target === box || event.target === list) input.focus();
    });
    commit(); // the tags already saved, or sent back after a rejected submit
  }

  document.querySelectorAll(".js-tag-input").forEach(enhance);
})();

/* Progressive enhancement of the image fields (input[type=file][data-max-bytes]): a file
   larger than the field accepts is refused as soon as it is chosen, with the field's
   error next to it in the page's language, and taken out of the field, so the form is
   never sent with it (a request too large for the server would be refused as a whole,
   and what was typed would not come back). Without this file the server checks the
   size: the field error, or for a request too large to read the 413 page. */
(function () {
  "use strict";

  var language = document.documentElement.lang || "en";

  function megabytes(bytes) {
    var value = bytes / (1024 * 1024);
    var text;
    try {
      text = value.toLocaleString(language, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    } catch (error) {
      text = value.toFixed(1);
    }
    return text + "\u00a0MB";
  }

  function describedBy(input, id, add) {
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (each) {
      return each && each !== id;
    });
    if (add) { ids.push(id); }
    if (ids.length) {
      input.setAttribute("aria-describedby", ids.join(" "));
    } else {
      input.removeAttribute("aria-describedby");
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[type=file][data-max-bytes]"), function (input) {
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
    var message = input.getAttribute("data-too-large") || "";
    if (!limit || !message) { return; }
    var errorId = input.id + "_too_large";

    function clear() {
      var shown = document.getElementById(errorId);
      if (shown) { shown.remove(); }
      describedBy(input, errorId, false);
      if (!input.parentNode.querySelector(".invalid-feedback")) {
        input.classList.remove("is-invalid");
        input.removeAttribute("aria-invalid");
      }
    }

    input.addEventListener("change", function () {
      clear();
      var file = input.files && input.files[0];
      if (!file || file.size <= limit) { return; }
      input.value = "";
      var error = document.createElement("p");
      error.id = errorId;
      error.className = "invalid-feedback d-block file-too-large";
      error.setAttribute("role", "alert");
      error.textContent = message.replace("%(size)s", megabytes(file.size));
      input.insertAdjacentElement("afterend", error);
      input.classList.add("is-invalid");
      input.setAttribute("aria-invalid", "true");
      describedBy(input, errorId, true);
    });
  });
})();

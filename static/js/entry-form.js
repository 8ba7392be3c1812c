/* Progressive enhancement of the submission form. Everything works without this file:
   counters are extra help, "Add another partner" falls back to a server round trip,
   and similar entries are also listed on the preview page. */
(function () {
  "use strict";

  var form = document.querySelector("form.kl-form");
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  } else {
    var added = document.getElementById("new-partner");
    var input = added && added.parentNode.querySelector("input");
    if (input) { input.focus(); }
  }
  if (!form) { return; }

  function text(name, count) {
    return (form.dataset[name] || "").replace("%(count)s", String(count));
  }

  // Character counters for every field with a limit. The long texts carry their limit
  // as data-limit, not maxlength, so nothing typed past it is cut off: the counter
  // says how much is too much, and the server's field error says it again.
  function addCounter(field) {
    var limit = parseInt(field.getAttribute("data-limit") || field.getAttribute("maxlength"), 10);
    if (!limit || field.type === "email" || field.type === "url" || limit < 100) { return; }
    var counter = document.createElement("p");
    counter.className = "char-counter form-text";
    counter.id = field.id + "_counter";
    counter.setAttribute("aria-live", "polite");
    field.setAttribute("aria-describedby",
      ((field.getAttribute("aria-describedby") || "") + " " + counter.id).trim());
    field.insertAdjacentElement("afterend", counter);
    function update() {
      var left = limit - field.value.length;
      counter.textContent = text(left >= 0 ? "i18nRemaining" : "i18nOver", Math.abs(left));
      counter.classList.toggle("text-danger", left < 0);
    }
    field.addEventListener("input", update);
    update();
  }
  var limited = "input[data-limit], textarea[data-limit], input[maxlength], textarea[maxlength]";
  Array.prototype.forEach.call(form.querySelectorAll(limited), addCounter);

  // "Add another partner" without a round trip.
  var addButton = form.querySelector('button[value="add_partner"]');
  var total = form.querySelector('input[name="partners-TOTAL_FORMS"]');
  var maximum = form.querySelector('input[name="partners-MAX_NUM_FORMS"]');
  if (addButton && total) {
    addButton.addEventListener("click", function (event) {
      var rows = form.querySelectorAll(".partner-row");
      var last = rows[rows.length - 1];
      var count = parseInt(total.value, 10);
      if (!last || count >= parseInt(maximum.value, 10)) { return; }
      event.preventDefault();
      var row = last.cloneNode(true);
      var pattern = new RegExp("partners-" + (count - 1) + "-", "g");
      row.innerHTML = row.innerHTML.replace(pattern, "partners-" + count + "-");
      Array.prototype.forEach.call(row.querySelectorAll("input"), function (field) {
        field.value = "";
        field.classList.remove("is-invalid");
        field.removeAttribute("aria-invalid");
      });
      // A new partner's e-mails are in the page's language until chosen otherwise.
      var page = document.documentElement.lang;
      Array.prototype.forEach.call(row.querySelectorAll("select"), function (field) {
        if (field.querySelector('option[value="' + page + '"]')) { field.value = page; }
      });
      Array.prototype.forEach.call(row.querySelectorAll(".invalid-feedback, .char-counter"),
        function (node) { node.remove(); });
      row.querySelector("legend").textContent = text("i18nPartner", count + 1);
      last.insertAdjacentElement("afterend", row);
      total.value = String(count + 1);
      Array.prototype.forEach.call(row.querySelectorAll(limited), addCounter);
      row.querySelector("input").focus();
      if (count + 1 >= parseInt(maximum.value, 10)) { addButton.hidden = true; }
    });
  }

  // Similar entries while the title is typed.
  var title = form.querySelector('input[name="title"]');
  var box = document.getElementById("similar-entries");
  var url = form.dataset.similarUrl;
  if (title && box && url && window.fetch) {
    var timer = null;
    var asked = "";
    title.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var value = title.value.trim();
        if (value.length < 4 || value === asked) { return; }
        asked = value;
        fetch(url + "?title=" + encodeURIComponent(value), { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { similar: [] }; })
          .then(function (data) {
            box.textContent = "";
            if (!data.similar.length) { box.hidden = true; return; }
            var heading = document.createElement("p");
            heading.className = "fw-bold mb-1";
            heading.textContent = form.dataset.i18nSimilar;
            var list = document.createElement("ul");
            data.similar.forEach(function (item) {
              var li = document.createElement("li");
              li.textContent = item.title + " (" + item.kind + ")";
              list.appendChild(li);
            });
            box.appendChild(heading);
            box.appendChild(list);
            box.hidden = false;
          })
          .catch(function () { box.hidden = true; });
      }, 400);
    });
  }
})();

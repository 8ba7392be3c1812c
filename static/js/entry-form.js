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

  // The text for a count in its plural form: data-i18n-<name>-one for 1, else -other.
  function counted(name, count) {
    return text(name + (count === 1 ? "One" : "Other"), count);
  }

  // Character counters for every field with a limit. The long texts carry their limit
  // as data-limit, not maxlength, so nothing typed past it is cut off: the counter
  // says how much is too much, and the server's field error says it again.
  // The visible counter changes with every keystroke but is not a live region (a screen
  // reader reads it with the field, as its description); a hidden live region speaks
  // only when the count crosses a threshold: 100 and 20 left, the limit, over it.
  var THRESHOLDS = [100, 20, 0];
  function band(left) {
    if (left < 0) { return THRESHOLDS.length + 1; }
    var reached = 0;
    THRESHOLDS.forEach(function (threshold, index) { if (left <= threshold) { reached = index + 1; } });
    return reached;
  }
  function addCounter(field) {
    var limit = parseInt(field.getAttribute("data-limit") || field.getAttribute("maxlength"), 10);
    if (!limit || field.type === "email" || field.type === "url" || limit < 100) { return; }
    var counter = document.createElement("p");
    counter.className = "char-counter form-text";
    counter.id = field.id + "_counter";
    var announcer = document.createElement("p");
    announcer.className = "char-counter__announcer visually-hidden";
    announcer.setAttribute("aria-live", "polite");
    field.setAttribute("aria-describedby",
      ((field.getAttribute("aria-describedby") || "") + " " + counter.id).trim());
    field.insertAdjacentElement("afterend", counter);
    counter.insertAdjacentElement("afterend", announcer);
    function say(left) {
      return left >= 0 ? counted("i18nRemaining", left) : counted("i18nOver", -left);
    }
    var spoken = band(limit - field.value.length);
    function update() {
      var left = limit - field.value.length;
      counter.textContent = say(left);
      counter.classList.toggle("text-danger", left < 0);
      var now = band(left);
      if (now !== spoken) {
        // Only on the way towards the limit (and past it); deleting back is silent,
        // except that coming back under the limit is said too.
        if (now > spoken || spoken === THRESHOLDS.length + 1) { announcer.textContent = say(left); }
        spoken = now;
      }
    }
    field.addEventListener("input", update);
    update();
  }
  var limited = "input[data-limit], textarea[data-limit], input[maxlength], textarea[maxlength]";
  Array.prototype.forEach.call(form.querySelectorAll(limited), addCounter);

  // The municipalities: a search box that shows only the matching names (what was ticked
  // stays ticked when it is hidden). Without this script the list is simply scrolled.
  Array.prototype.forEach.call(form.querySelectorAll(".municipality-picker"), function (picker) {
    var list = picker.querySelector(".municipality-picker__list");
    if (!list) { return; }
    var box = document.createElement("div");
    box.className = "municipality-picker__filter";
    var label = document.createElement("label");
    var input = document.createElement("input");
    var status = document.createElement("p");
    input.type = "search";
    input.id = list.id + "_filter";
    input.className = "form-control";
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-controls", list.id);
    label.className = "form-label";
    label.htmlFor = input.id;
    label.textContent = form.dataset.i18nFilter || "";
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    box.append(label, input, status);
    list.insertAdjacentElement("beforebegin", box);
    var items = Array.prototype.slice.call(list.querySelectorAll(".form-check"));
    var names = items.map(function (item) { return item.textContent.trim().toLocaleLowerCase(); });
    var timer = null;
    input.addEventListener("input", function () {
      var typed = input.value.trim().toLocaleLowerCase();
      var shown = 0;
      items.forEach(function (item, index) {
        var match = !typed || names[index].indexOf(typed) !== -1;
        item.hidden = !match;
        if (match) { shown += 1; }
      });
      // Said once typing pauses, not on every key.
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        status.textContent = typed ? counted("i18nShown", shown) : "";
      }, 700);
    });
    // Enter in the search box does not send the form.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
  });

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
      Array.prototype.forEach.call(row.querySelectorAll(".invalid-feedback, .char-counter, .char-counter__announcer"),
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

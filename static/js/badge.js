/* The management page's badge (publishing/cooperation/manage_badge.html): a button that
   copies the HTML code to paste, and says so in a live region. Without this file the
   button stays hidden and the code can be selected and copied from its text area. */
(function () {
  "use strict";

  function copied(textarea) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(textarea.value);
    }
    textarea.focus();
    textarea.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (error) { done = false; }
    return done ? Promise.resolve() : Promise.reject(new Error("copy"));
  }

  function say(status, text) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), function (button) {
    var textarea = document.getElementById(button.getAttribute("data-copy"));
    var status = document.querySelector('[data-copy-status="' + button.getAttribute("data-copy") + '"]');
    if (!textarea || !status) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      copied(textarea).then(
        function () { say(status, button.getAttribute("data-copied")); },
        function () {
          textarea.focus();
          textarea.select();
          say(status, button.getAttribute("data-failed"));
        }
      );
    });
  });
})();

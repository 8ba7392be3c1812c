/* Progressive enhancement for every page. Without this file the main menu is a
   <details> disclosure that opens and closes by itself; with it, the same markup
   becomes Bootstrap's collapse (a real button with aria-expanded, an animated
   opening, Escape closes it). Nothing moves on the page when this runs. */
(function () {
  "use strict";

  var menu = document.querySelector("details.site-menu");
  if (!menu || !window.bootstrap || !window.bootstrap.Collapse) { return; }
  var summary = menu.querySelector("summary");
  var list = menu.querySelector(".site-menu__list");
  if (!summary || !list) { return; }

  var button = document.createElement("button");
  button.type = "button";
  button.className = summary.className;
  button.innerHTML = summary.innerHTML;
  button.setAttribute("aria-controls", list.id);
  button.setAttribute("aria-expanded", menu.open ? "true" : "false");

  var wrapper = document.createElement("div");
  wrapper.className = "site-menu site-menu--enhanced";
  list.classList.add("collapse");
  if (menu.open) { list.classList.add("show"); }
  wrapper.appendChild(button);
  wrapper.appendChild(list);
  menu.replaceWith(wrapper);

  var collapse = new window.bootstrap.Collapse(list, { toggle: false });
  button.addEventListener("click", function () { collapse.toggle(); });
  list.addEventListener("show.bs.collapse", function () { button.setAttribute("aria-expanded", "true"); });
  list.addEventListener("hide.bs.collapse", function () { button.setAttribute("aria-expanded", "false"); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && list.classList.contains("show")) {
      collapse.hide();
      button.focus();
    }
  });
})();

/* Skill search as an accessible combobox (WAI-ARIA 1.2 "list autocomplete").
 * Without JavaScript the same form is a plain GET search with a results page.
 * Arrow keys move through the options, Enter opens the chosen skill, Escape closes
 * the list; a polite live region says how many skills were found. */
(function () {
  "use strict";
  document.querySelectorAll("form.skill-search").forEach(function (form) {
    var input = form.querySelector("input[type=search]");
    var list = form.querySelector("[role=listbox]");
    var status = form.querySelector("[role=status]");
    var endpoint = form.getAttribute("data-endpoint");
    var options = [], active = -1, timer = null, lastQuery = null, seq = 0;

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function open() {
      if (!options.length) { close(); return; }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
    function highlight(i) {
      options.forEach(function (li, j) { li.setAttribute("aria-selected", j === i ? "true" : "false"); });
      active = i;
      if (i >= 0) {
        input.setAttribute("aria-activedescendant", options[i].id);
        options[i].scrollIntoView({block: "nearest"});
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function announce(n) {
      var text = n === 0 ? status.dataset.none : n === 1 ? status.dataset.one
        : status.dataset.many.replace("{n}", n);
      status.textContent = text;
    }
    function go(li) { window.location.href = li.dataset.url; }
    function render(data) {
      list.innerHTML = "";
      options = data.results.map(function (r, i) {
        var li = document.createElement("li");
        li.id = list.id + "-opt-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.url = r.url;
        var name = document.createElement("span");
        name.className = "fw-semibold";
        name.textContent = r.name;
        li.appendChild(name);
        var extra = r.area + (r.held ? " · " + status.dataset.held : "");
        if (extra) {
          var small = document.createElement("span");
          small.className = "d-block small";
          small.textContent = extra;
          li.appendChild(small);
        }
        li.addEventListener("mousedown", function (e) { e.preventDefault(); });
        li.addEventListener("click", function () { go(li); });
        list.appendChild(li);
        return li;
      });
      active = -1;
      announce(options.length);
      open();
    }
    function fetchResults() {
      var q = input.value.trim();
      if (q === lastQuery) { open(); return; }
      lastQuery = q;
      if (!q) { options = []; list.innerHTML = ""; status.textContent = ""; close(); return; }
      var mine = ++seq;
      fetch(endpoint + "?q=" + encodeURIComponent(q), {credentials: "same-origin",
        headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : {count: 0, results: []}; })
        .then(function (data) { if (mine === seq) render(data); })
        .catch(function () { /* the plain search button still works */ });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchResults, 150);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") {
        e.preventDefault();
        if (list.hidden) { open(); }
        if (options.length) highlight((active + 1) % options.length);
      } else if (e.key === "ArrowUp") {
        e.preventDefault();
        if (options.length) highlight(active <= 0 ? options.length - 1 : active - 1);
      } else if (e.key === "Enter") {
        if (!list.hidden && active >= 0) { e.preventDefault(); go(options[active]); }
      } else if (e.key === "Escape") {
        if (!list.hidden) { e.preventDefault(); close(); } else { input.value = ""; lastQuery = null; }
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  });
})();

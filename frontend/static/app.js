/* Small behaviour every page shares (issue 16, point 2 and 6). The pages work without it: it only adds comfort.
   - the menu button of the header on a phone (aria-expanded), Escape and a click elsewhere close open menus;
   - tables as cards on a phone: each cell labelled with its column's heading (data-label, shown by app.css);
   - inputs marked data-autosubmit send their form when changed (search facets); the button stays for no-JS;
   - a box that scrolls sideways gets tabindex=0 (keyboard users can scroll it);
   - each message of a form's error summary is a link to its field;
   - a <details data-phone-closed> (the search filters) starts closed on a phone, open on a wide screen. */
(function () {
  "use strict";
  var doc = document;
  var phone = window.matchMedia ? window.matchMedia("(max-width: 760px)") : { matches: false };

  function menus() { return Array.prototype.slice.call(doc.querySelectorAll("details.menu")); }

  function closeMenus(except) {
    menus().forEach(function (d) { if (d !== except && d.open) { d.open = false; } });
  }

  function setupHeader() {
    var top = doc.getElementById("top");
    var toggle = doc.getElementById("menu-toggle");
    if (!top || !toggle) { return; }
    toggle.addEventListener("click", function () {
      var open = !top.classList.contains("nav-open");
      top.classList.toggle("nav-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) {
        var first = doc.querySelector("#site-nav a, #site-nav summary");
        if (first) { first.focus(); }
      }
    });
    menus().forEach(function (d) {
      d.addEventListener("toggle", function () { if (d.open) { closeMenus(d); } });
    });
    doc.addEventListener("click", function (event) {
      menus().forEach(function (d) { if (d.open && !d.contains(event.target)) { d.open = false; } });
    });
    doc.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      var inside = menus().filter(function (d) { return d.open && d.contains(doc.activeElement); })[0];
      closeMenus(null);
      if (inside) { inside.querySelector("summary").focus(); return; }
      if (top.classList.contains("nav-open")) {
        top.classList.remove("nav-open");
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      }
    });
  }

  function headings(table) {
    var rows = table.tHead ? table.tHead.rows : [];
    if (!rows.length) { return null; }
    var row = rows[rows.length - 1];
    var names = [];
    Array.prototype.forEach.call(row.cells, function (cell) {
      var span = cell.colSpan || 1;
      var text = (cell.getAttribute("aria-label") || cell.textContent || "").replace(/\s+/g, " ").trim();
      for (var i = 0; i < span; i += 1) { names.push(text); }
    });
    return names;
  }

  function setupCards() {
    Array.prototype.forEach.call(doc.querySelectorAll("main table"), function (table) {
      if (table.classList.contains("no-cards") || table.id === "finance-facts") { return; }
      var names = headings(table);
      if (!names) { return; }
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          var col = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            if (cell.tagName === "TD" && !cell.hasAttribute("data-label") && cell.colSpan === 1) {
              cell.setAttribute("data-label", names[col] || "");
            }
            col += cell.colSpan || 1;
          });
        });
      });
      table.classList.add("cards");
    });
  }

  function setupAutosubmit() {
    doc.addEventListener("change", function (event) {
      var input = event.target;
      if (!input || !input.hasAttribute || !input.hasAttribute("data-autosubmit") || !input.form) { return; }
      var form = input.form;
      var drawer = input.closest ? input.closest("details[data-phone-closed]") : null;
      if (drawer && drawer.id) { remember(drawer.id); }  // the filters stay open on the next page
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    });
  }

  function remember(id) {
    try { window.sessionStorage.setItem("open-drawer", id); } catch (e) { /* storage refused: no memory */ }
  }

  function remembered() {
    try {
      var id = window.sessionStorage.getItem("open-drawer");
      window.sessionStorage.removeItem("open-drawer");
      return id;
    } catch (e) { return null; }
  }

  function setupDrawers() {
    var keep = remembered();
    Array.prototype.forEach.call(doc.querySelectorAll("details[data-phone-closed]"), function (d) {
      d.open = !phone.matches || d.id === keep;
      var summary = d.querySelector("summary");
      if (summary) {  // on a wide screen the filters are always shown: their heading does not fold them
        summary.addEventListener("click", function (event) { if (!phone.matches) { event.preventDefault(); } });
      }
    });
  }

  function setupErrorLinks() {
    /* each message of a form's error summary leads to its field */
    Array.prototype.forEach.call(doc.querySelectorAll("#form-errors li[data-field]"), function (item) {
      var field = doc.querySelector("main [name=\"" + item.getAttribute("data-field") + "\"]:not([type=hidden])");
      if (!field || !field.id || item.querySelector("a")) { return; }
      var link = doc.createElement("a");
      link.href = "#" + field.id;
      while (item.firstChild) { link.appendChild(item.firstChild); }
      item.appendChild(link);
      link.addEventListener("click", function (event) { event.preventDefault(); field.focus(); });
    });
  }

  function setupScrollers() {
    /* a box that scrolls sideways (a wide table kept as a table) can be scrolled from the keyboard */
    Array.prototype.forEach.call(doc.querySelectorAll("main div, main section, main figure, main pre"), function (el) {
      var style = window.getComputedStyle(el);
      var scrolls = (style.overflowX === "auto" || style.overflowX === "scroll") && el.scrollWidth > el.clientWidth;
      if (scrolls && !el.hasAttribute("tabindex")) { el.setAttribute("tabindex", "0"); }
    });
  }

  setupHeader();
  setupErrorLinks();
  setupCards();
  setupAutosubmit();
  setupDrawers();
  setupScrollers();
}());

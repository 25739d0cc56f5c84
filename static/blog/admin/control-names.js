/*
 * Names the admin's search-as-you-type menus (select2, for session, event, tags…) after
 * their field's label. select2 hides the real <select>, which the label names, and shows a
 * combobox and a search box of its own that a screen reader would announce with no name,
 * or with only the value chosen.
 */
(function () {
  "use strict";

  const $ = window.django && window.django.jQuery;
  if (!$ || !$.fn.select2) return;

  function labelIdFor(select) {
    const label = select.id && document.querySelector(`label[for="${CSS.escape(select.id)}"]`);
    if (!label) return null;
    if (!label.id) label.id = `${select.id}-label`;
    return label.id;
  }

  function nameMenu(select) {
    const container = $(select).data("select2")?.$container?.[0];
    const labelId = labelIdFor(select);
    if (!container || !labelId) return;
    const combobox = container.querySelector(".select2-selection");
    // The label, then what is chosen: "セッション, Istio Today and Tomorrow".
    const chosen = combobox.getAttribute("aria-labelledby") || "";
    if (!chosen.split(" ").includes(labelId)) {
      combobox.setAttribute("aria-labelledby", `${labelId} ${chosen}`.trim());
    }
    // What is chosen is part of the combobox's name, not a read-only text box of its own.
    for (const chosenText of container.querySelectorAll(".select2-selection__rendered")) {
      chosenText.removeAttribute("role");
      chosenText.removeAttribute("aria-readonly");
    }
    // A menu of several values types its search into a box inside the combobox.
    for (const search of container.querySelectorAll(".select2-search__field")) {
      search.setAttribute("aria-labelledby", labelId);
    }
  }

  function nameAll() {
    document.querySelectorAll("select.admin-autocomplete").forEach(nameMenu);
  }

  // The admin starts select2 when the page is ready; name the menus after it has.
  $(() => setTimeout(nameAll));
  document.addEventListener("formset:added", () => setTimeout(nameAll));
  // An open menu's search box lives at the end of the page, built as it opens.
  $(document).on("select2:open", "select.admin-autocomplete", (event) => {
    const labelId = labelIdFor(event.target);
    const dropdown = $(event.target).data("select2")?.$dropdown?.[0];
    if (!labelId || !dropdown) return;
    for (const search of dropdown.querySelectorAll(".select2-search__field")) {
      search.setAttribute("aria-labelledby", labelId);
    }
  });
  // A menu of several values rebuilds its search box as values are added and removed.
  $(document).on("change", "select.admin-autocomplete", (event) => nameMenu(event.target));
})();

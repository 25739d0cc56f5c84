/*
 * Asks before leaving an admin form with changes that were not saved, and says so on the
 * page while there are some. "Changed" means different from what the page opened with:
 * typing something and deleting it again is no change. A form shown again because its save
 * was refused opens with the refused input, none of it saved: it is unsaved until a save
 * goes through. Saving the form itself never asks, unless a field is still being filled in
 * (marked aria-busy, as the Markdown editor marks its text while a photo uploads): leaving
 * then, by a link or by the save, drops what was on its way.
 */
(function () {
  "use strict";

  function snapshot(form) {
    const entries = [];
    for (const [name, value] of new FormData(form)) {
      if (name === "csrfmiddlewaretoken") continue;
      entries.push([name, typeof value === "string" ? value : value.name + ":" + value.size]);
    }
    return JSON.stringify(entries);
  }

  function start() {
    const settings = document.getElementById("unsaved-changes");
    const form = document.querySelector("#content-main form[id$='_form'][method='post']");
    if (!settings || !form) return;

    const opened = snapshot(form);
    // A form shown again after a refused save (marked so by templates/admin/base_site.html)
    // holds the input as typed, and nothing here says what is saved: it counts as changed.
    const refusedInput = "refusedInput" in settings.dataset;
    let submitting = false;
    const note = document.createElement("p");
    note.className = "unsaved-note";
    note.setAttribute("role", "status");
    note.hidden = true;
    note.textContent = settings.dataset.message;
    const submitRow = form.querySelector(".submit-row");
    (submitRow || form).before(note);

    const changed = () => !submitting && (refusedInput || snapshot(form) !== opened);
    const busy = () => form.querySelector("[aria-busy='true']") !== null;
    const showState = () => {
      note.hidden = !changed();
    };
    showState();

    form.addEventListener("input", showState);
    form.addEventListener("change", showState);
    // Rows added with "Add another" change the form without an input event.
    document.addEventListener("formset:added", showState);
    document.addEventListener("formset:removed", showState);
    form.addEventListener("submit", () => {
      submitting = true;
    });
    window.addEventListener("beforeunload", (event) => {
      if (!changed() && !busy()) return;
      event.preventDefault();
      event.returnValue = ""; // browsers show their own wording; the note above says ours
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

/*
 * A button that copies a field's text (a share link) to the clipboard, and says so.
 * Where the clipboard cannot be written, the text is selected for the person to copy.
 */
(function () {
  "use strict";

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-copy-from]");
    if (!button) return;
    const field = document.getElementById(button.dataset.copyFrom);
    const status = document.getElementById(button.dataset.copyStatus);
    if (!field) return;
    try {
      await navigator.clipboard.writeText(field.value);
      if (status) status.textContent = button.dataset.copied;
    } catch {
      field.focus();
      field.select();
      if (status) status.textContent = button.dataset.selected;
    }
  });
})();

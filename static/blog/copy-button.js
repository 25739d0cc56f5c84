/*
 * A button that copies an address to the clipboard, and says so: a share link in the
 * admin (a read-only field), a feed's address on the readers' page (the text of an
 * element). Where the clipboard cannot be written (a page served over plain HTTP, a
 * refused permission), the address is selected for the person to copy.
 *
 * Readers' pages work without this script: their addresses are selectable text, and their
 * buttons, which would do nothing without it, are sent `hidden` and shown here.
 */
(function () {
  "use strict";

  const isField = (element) =>
    element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement;

  function select(element) {
    if (isField(element)) {
      element.focus();
      element.select();
      return;
    }
    const range = document.createRange();
    range.selectNodeContents(element);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-copy-from]");
    if (!button) return;
    const source = document.getElementById(button.dataset.copyFrom);
    const status = document.getElementById(button.dataset.copyStatus);
    if (!source) return;
    const text = isField(source) ? source.value : source.textContent.trim();
    try {
      await navigator.clipboard.writeText(text);
      if (status) status.textContent = button.dataset.copied;
    } catch {
      select(source);
      if (status) status.textContent = button.dataset.selected;
    }
  });

  for (const button of document.querySelectorAll("button[data-copy-from][hidden]")) {
    button.hidden = false;
  }
})();

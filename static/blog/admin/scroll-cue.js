/*
 * Marks each box that scrolls a table sideways with the sides where some of the table is
 * out of sight (has-more-left, has-more-right), so that the stylesheet can fade those
 * edges. A phone shows no scrollbar until the table is touched: without the fade a column
 * cut off at the edge looks like the table's last one.
 */
(function () {
  "use strict";

  // The admin's own change lists scroll their table in .results, tabular inlines in .wrapper.
  const BOXES = ".scroll-box, #changelist-form .results, .inline-group .tabular .wrapper";

  function mark(box) {
    const hidden = box.scrollWidth - box.clientWidth;
    // In a right-to-left page scrollLeft runs from 0 down to -hidden.
    const scrolled =
      getComputedStyle(box).direction === "rtl" ? hidden + box.scrollLeft : box.scrollLeft;
    // A pixel of slack: zoomed pages report fractions.
    box.classList.toggle("has-more-left", scrolled > 1);
    box.classList.toggle("has-more-right", scrolled < hidden - 1);
  }

  function start() {
    const boxes = document.querySelectorAll(BOXES);
    if (!boxes.length) return;
    // The box or its table changing size (the window turned, fonts loaded) changes what fits.
    const resized = new ResizeObserver((entries) => {
      for (const entry of entries) mark(entry.target.closest(BOXES));
    });
    for (const box of boxes) {
      box.addEventListener("scroll", () => mark(box), { passive: true });
      resized.observe(box);
      for (const child of box.children) resized.observe(child);
      mark(box);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

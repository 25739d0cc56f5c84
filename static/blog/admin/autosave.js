/*
 * Keeps what a writer types in the section editor (the heading and the text), so a
 * closed tab or an expired login loses at most a few seconds:
 * - every change is copied to this browser's localStorage at once;
 * - a few seconds after typing stops, it is sent to the server (no revision);
 * - on opening the page, text kept in either place can be put back.
 * Input-method composition is left alone: nothing is read or written while a
 * Japanese conversion is in progress.
 */
(function () {
  "use strict";

  const DELAY_MS = 3000;

  function sectionId() {
    const match = window.location.pathname.match(/\/blog\/section\/(\d+)\/change\/$/);
    return match ? match[1] : "new";
  }

  function csrfToken(form) {
    const input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // A photo reference whose caption is still the placeholder, which a save leaves out
  // (blog/models/text.py, `without_caption_placeholders`); the page lists the placeholder
  // in every language of the site. The save keeps it in code; this pattern takes it out
  // there too, which only matters for two copies differing in nothing else.
  function captionPlaceholderPattern() {
    const listed = document.getElementById("caption-placeholders");
    const words = listed ? JSON.parse(listed.textContent) : [];
    if (!words.length) return null;
    const escaped = words.map(function (word) {
      return word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    });
    return new RegExp(
      "(\\]\\(\\s*photo:\\d{1,18})\\s+([\"'])\\s*(?:" + escaped.join("|") + ")\\s*\\2\\s*\\)",
      "g"
    );
  }

  // The text as a save keeps it: the form takes off blank space at either end, the
  // browser sends line breaks as CR LF, and an untouched caption placeholder goes.
  function asSaved(text, captionPlaceholder) {
    const saved = text.replace(/\r\n?/g, "\n").trim();
    return captionPlaceholder ? saved.replace(captionPlaceholder, "$1)") : saved;
  }

  function setStatus(text, problem) {
    const status = document.querySelector("[data-autosave-status]");
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("autosave-status--problem", Boolean(problem));
  }

  function start() {
    const form = document.getElementById("section_form");
    const body = form && form.querySelector("textarea[name=body]");
    if (!body) return;
    // Absent where the heading cannot be changed.
    const heading = form.querySelector("input[name=heading]");
    const id = sectionId();
    const storageKey = "section-draft:" + id;
    const baseVersion = form.querySelector("input[name=base_version]");
    // Translated by the page (templates/admin/blog/section/change_form.html).
    const statusLine = document.querySelector("[data-autosave-status]");
    if (!statusLine) return;
    const messages = statusLine.dataset;

    const captionPlaceholder = captionPlaceholderPattern();
    let composing = false;
    let timer = null;

    function typed() {
      return { heading: heading ? heading.value : undefined, body: body.value };
    }

    // Whether the fields show `kept`, as a save would keep both. A copy kept before
    // headings were kept has none: its heading is whatever the page shows.
    function showing(kept) {
      const sameHeading = !heading || kept.heading === undefined ||
        kept.heading.trim() === heading.value.trim();
      return sameHeading && asSaved(kept.body, captionPlaceholder) ===
        asSaved(body.value, captionPlaceholder);
    }

    function keepLocally() {
      try {
        localStorage.setItem(storageKey, JSON.stringify({ ...typed(), at: Date.now() }));
      } catch (error) {
        /* Storage may be full or disabled; the server copy still works. */
      }
    }

    function sendToServer() {
      if (id === "new" || composing) return;
      // The server keeps one text per person: while it offers back another one, what is
      // typed here would take its place before the writer chose what to do with it.
      if (document.querySelector("[data-autosave-offer] [name=offered_autosave]")) {
        setStatus(messages.pending, false);
        return;
      }
      const data = new FormData();
      if (heading) data.append("heading", heading.value);
      data.append("body", body.value);
      data.append("base_version", baseVersion ? baseVersion.value : "");
      fetch("../autosave/", {
        method: "POST",
        body: data,
        headers: { "X-CSRFToken": csrfToken(form) },
        credentials: "same-origin",
        redirect: "manual",
      })
        .then(function (response) {
          if (response.ok) {
            return response.json().then(function (result) {
              setStatus(messages.saved.replace("{time}", result.saved_at), false);
            });
          }
          // A refusal that says why (a heading too long; the section submitted, approved or
          // given to someone else since this page was opened): the login is fine, and the
          // reason is what the writer needs to hear. The text stays in this browser.
          const type = response.headers.get("Content-Type") || "";
          if (type.indexOf("application/json") === -1) throw new Error(String(response.status));
          return response.json().then(function (answer) {
            setStatus(answer.error, true);
          });
        })
        .catch(function () {
          // Sent to the login page (the redirect is not followed), or refused before the
          // view (the login's token is gone): the login has ended.
          setStatus(messages.expired, true);
        });
    }

    function changed() {
      if (composing) return;
      keepLocally();
      setStatus(messages.local, false);
      window.clearTimeout(timer);
      timer = window.setTimeout(sendToServer, DELAY_MS);
    }

    [heading, body].forEach(function (field) {
      if (!field) return;
      field.addEventListener("compositionstart", function () { composing = true; });
      field.addEventListener("compositionend", function () { composing = false; changed(); });
      field.addEventListener("input", changed);
    });

    function putBack(kept) {
      if (heading && kept.heading !== undefined) {
        heading.value = kept.heading;
        heading.dispatchEvent(new Event("input", { bubbles: true }));
      }
      body.value = kept.body;
      body.dispatchEvent(new Event("input", { bubbles: true }));
    }

    // Text kept on the server for this person.
    const serverCopy = document.getElementById("autosaved-text");
    const restoreButton = document.querySelector("[data-restore-autosave]");
    if (serverCopy && restoreButton) {
      restoreButton.addEventListener("click", function () {
        putBack(JSON.parse(serverCopy.textContent));
        restoreButton.closest("[data-autosave-offer]").remove();
      });
    }
    // Discarded on the server: this browser's copy of the same typing goes too, or it
    // would be offered next.
    const discardForm = document.querySelector("[data-discard-autosave]");
    if (discardForm) {
      discardForm.addEventListener("submit", function () {
        try { localStorage.removeItem(storageKey); } catch (error) { /* nothing kept */ }
      });
    }

    // Text kept in this browser that differs from what the page shows.
    let kept = null;
    try {
      kept = JSON.parse(localStorage.getItem(storageKey) || "null");
    } catch (error) {
      kept = null;
    }
    // After a refused save the page shows the text as typed, not as saved (marked so by
    // templates/admin/base_site.html): this browser keeps it until a save goes through,
    // even when the writer's other tab has saved since and removed the kept copy. The
    // server's copy, offered first when the page is opened again, is brought up to it too:
    // it may be from a few seconds before the save was pressed. Nothing is offered here:
    // the editor already holds the text.
    const unsavedSettings = document.getElementById("unsaved-changes");
    if (unsavedSettings && "refusedInput" in unsavedSettings.dataset) {
      keepLocally();
      sendToServer();
    } else if (kept && showing(kept)) {
      // What this browser kept has been saved since: nothing to offer.
      try { localStorage.removeItem(storageKey); } catch (error) { /* nothing kept */ }
    } else if (kept && !serverCopy) {
      const offer = document.createElement("div");
      offer.className = "autosave-offer";
      const text = document.createElement("p");
      text.textContent = messages.offer;
      const restore = document.createElement("button");
      restore.type = "button";
      restore.className = "button";
      restore.textContent = messages.restore;
      const discard = document.createElement("button");
      discard.type = "button";
      discard.className = "button";
      discard.textContent = messages.discard;
      restore.addEventListener("click", function () { putBack(kept); offer.remove(); });
      discard.addEventListener("click", function () { localStorage.removeItem(storageKey); offer.remove(); });
      offer.append(text, restore, " ", discard);
      form.parentNode.insertBefore(offer, form);
    }

  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

/*
 * The admin's Markdown editor: live preview and photo upload.
 *
 * Replaces django-markdownx's script (blog/widgets.py says why). Rules it keeps:
 * - Nothing here writes to the textarea while an input method is composing (Japanese,
 *   Chinese, Korean): the text is not final then, and changing it loses or doubles
 *   characters. A photo that finishes uploading mid-composition waits for its end.
 * - Text is inserted with the browser's own editing command, so undo still works.
 * - Editors in rows added later ("Add another", Django's `formset:added`) work too.
 * - Errors are shown beside the editor, never typed into the writer's text.
 */
"use strict";

(function () {
  const PREVIEW_DELAY_MS = 400;
  const started = new WeakSet();

  function csrfToken(textarea) {
    const field =
      (textarea.form && textarea.form.querySelector("input[name=csrfmiddlewaretoken]")) ||
      document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function carriesFiles(event) {
    return Boolean(event.dataTransfer) && Array.from(event.dataTransfer.types).includes("Files");
  }

  class MarkdownEditor {
    constructor(container) {
      this.container = container;
      this.textarea = container.querySelector("textarea");
      this.preview = container.querySelector(".markdown-editor__preview");
      this.status = container.querySelector(".markdown-editor__status");
      this.fileInput = container.querySelector(".markdown-editor__file");
      this.messages = container.dataset;
      this.composing = false;
      // A textarea never focused reports its caret at 0: a photo would land above the
      // first heading. Until the writer places the caret, photos go at the end.
      this.caretPlaced = false;
      this.waitingInserts = [];
      this.previewTimer = null;
      this.previewTicket = 0;
      this.listen();
      this.refreshPreview();
    }

    listen() {
      const textarea = this.textarea;
      textarea.addEventListener("focus", () => {
        this.caretPlaced = true;
      });
      textarea.addEventListener("compositionstart", () => {
        this.composing = true;
      });
      textarea.addEventListener("compositionend", () => {
        this.composing = false;
        // Let the browser finish committing the composed text before touching anything.
        window.setTimeout(() => {
          this.insertWaiting();
          this.schedulePreview();
        }, 0);
      });
      textarea.addEventListener("input", (event) => {
        if (event.isComposing || this.composing) {
          return; // previewed at compositionend
        }
        this.schedulePreview();
      });
      textarea.addEventListener("dragover", (event) => {
        if (carriesFiles(event)) {
          event.preventDefault();
          event.dataTransfer.dropEffect = "copy";
          this.container.classList.add("is-dropping");
        }
      });
      textarea.addEventListener("dragleave", () => this.container.classList.remove("is-dropping"));
      textarea.addEventListener("drop", (event) => {
        this.container.classList.remove("is-dropping");
        if (!carriesFiles(event)) {
          return; // dropped text: the browser inserts it as usual
        }
        event.preventDefault();
        this.uploadAll(Array.from(event.dataTransfer.files));
      });
      textarea.addEventListener("paste", (event) => {
        const files = event.clipboardData ? Array.from(event.clipboardData.files) : [];
        if (files.length) {
          event.preventDefault();
          this.uploadAll(files);
        }
      });
      if (this.fileInput) {
        this.fileInput.addEventListener("change", () => {
          const files = Array.from(this.fileInput.files);
          this.fileInput.value = "";
          this.uploadAll(files);
        });
      }
    }

    // --- What the requests say ------------------------------------------------------------

    target() {
      const data = this.textarea.dataset;
      if (data.section) {
        return { section: data.section, field: data.field || "" };
      }
      if (data.report) {
        return { report: data.report, field: data.field || "" };
      }
      return null;
    }

    formData(values) {
      const body = new FormData();
      Object.entries({ ...(this.target() || {}), ...values }).forEach(([key, value]) =>
        body.append(key, value)
      );
      return body;
    }

    async post(url, body) {
      const response = await fetch(url, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(this.textarea), "X-Requested-With": "XMLHttpRequest" },
      });
      // Staff-only views send a logged-out user to the login page.
      if (response.redirected) {
        throw new Error(this.messages.messageLoggedOut);
      }
      return response;
    }

    async errorOf(response) {
      try {
        return (await response.json()).error || this.messages.messageFailed;
      } catch (error) {
        return this.messages.messageFailed;
      }
    }

    // `about` is "preview" for the preview's own errors: a preview that works again takes
    // back only those, never an upload's refusal or the "save first" notice.
    say(message, isError, about) {
      this.status.textContent = message;
      this.status.classList.toggle("is-error", Boolean(isError));
      this.statusAbout = about || "";
    }

    // --- Preview ----------------------------------------------------------------------------

    schedulePreview() {
      window.clearTimeout(this.previewTimer);
      this.previewTimer = window.setTimeout(() => this.refreshPreview(), PREVIEW_DELAY_MS);
    }

    async refreshPreview() {
      const ticket = ++this.previewTicket;
      try {
        const response = await this.post(
          this.textarea.dataset.previewUrl,
          this.formData({ content: this.textarea.value })
        );
        if (ticket !== this.previewTicket) {
          return; // a newer preview is on its way
        }
        if (!response.ok) {
          this.say(await this.errorOf(response), true, "preview");
          return;
        }
        // The server's sanitiser made this HTML; it is what readers will get.
        this.preview.innerHTML = await response.text();
        if (this.status.classList.contains("is-error") && this.statusAbout === "preview") {
          this.say("", false);
        }
        this.container.dispatchEvent(new CustomEvent("markdown-editor:previewed", { bubbles: true }));
      } catch (error) {
        this.say(error.message || this.messages.messageFailed, true, "preview");
      }
    }

    // --- Photos -----------------------------------------------------------------------------

    async uploadAll(files) {
      if (!this.target()) {
        this.say(this.messages.messageSaveFirst, true);
        return;
      }
      for (const file of files) {
        await this.upload(file);
      }
    }

    async upload(file) {
      this.say(this.messages.messageUploading.replace("{name}", file.name), false);
      // Busy until the photo is in the text or refused: unsaved-changes.js asks before the
      // page is left meanwhile, since leaving drops the upload.
      this.textarea.setAttribute("aria-busy", "true");
      try {
        const response = await this.post(
          this.textarea.dataset.uploadUrl,
          this.formData({ image: file })
        );
        if (!response.ok) {
          this.say(await this.errorOf(response), true);
          return;
        }
        const answer = await response.json();
        this.insert(answer.image_code, answer.alt_placeholder);
        this.say(this.messages.messageUploaded, false);
      } catch (error) {
        this.say(error.message || this.messages.messageFailed, true);
      } finally {
        this.textarea.removeAttribute("aria-busy");
      }
    }

    insert(code, placeholder) {
      if (this.composing) {
        this.waitingInserts.push([code, placeholder]);
        return;
      }
      const textarea = this.textarea;
      if (!this.caretPlaced) {
        // Out of focus, the caret stays where the writer left it; never placed, it is at 0.
        textarea.setSelectionRange(textarea.value.length, textarea.value.length);
      }
      // Never over what is selected: the last photo's placeholder, still waiting for its
      // description (the next photo goes after that photo's reference), or the writer's
      // own words (the photo goes after them).
      const last = this.lastInserted;
      const waiting = last && textarea.selectionStart === last.placeholderStart &&
        textarea.selectionEnd === last.placeholderEnd &&
        textarea.value.slice(last.placeholderStart, last.placeholderEnd) === last.placeholder;
      const start = waiting ? last.end : textarea.selectionEnd;
      textarea.setSelectionRange(start, start);
      const before = textarea.value.slice(0, start);
      // A figure is a paragraph of its own: blank lines around it.
      const gap = before === "" || before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
      const text = `${gap}${code}\n\n`;
      textarea.focus();
      const inserted = document.execCommand && document.execCommand("insertText", false, text);
      if (!inserted) {
        textarea.setRangeText(text, start, textarea.selectionEnd, "end");
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
      }
      // Select the placeholder, so that typing replaces it with a real description.
      const at = textarea.value.indexOf(placeholder, start);
      if (placeholder && at !== -1) {
        textarea.setSelectionRange(at, at + placeholder.length);
        this.lastInserted = {
          placeholder: placeholder,
          placeholderStart: at,
          placeholderEnd: at + placeholder.length,
          end: start + text.length,
        };
      }
    }

    insertWaiting() {
      const waiting = this.waitingInserts.splice(0);
      waiting.forEach(([code, placeholder]) => this.insert(code, placeholder));
    }
  }

  function startEditors(root) {
    root.querySelectorAll(".markdown-editor").forEach((container) => {
      const textarea = container.querySelector("textarea");
      // The formset's hidden template row is only ever copied, never edited.
      if (started.has(container) || !textarea || textarea.name.includes("__prefix__")) {
        return;
      }
      started.add(container);
      new MarkdownEditor(container);
    });
  }

  document.addEventListener("formset:added", (event) => startEditors(event.target));
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => startEditors(document));
  } else {
    startEditors(document);
  }
})();

/* The chat page's behaviour. Plain JS, no build step, no external resources.
 *
 * Safety: every piece of user or document text reaches the page through textContent or
 * text nodes, never parsed as HTML, so a question like <img src=x onerror=...> stays text.
 * The page works under a Content-Security-Policy without 'unsafe-inline': no inline
 * scripts or handlers; styles are only set through the CSSOM (element.style).
 */
"use strict";

(() => {
  const THEME_KEY = "qa-theme";
  const MAX_HISTORY_TURNS = 20; // the API's limit (schemas.MAX_HISTORY_TURNS)
  const REQUEST_TIMEOUT_MS = 90_000;
  const SVG_NS = "http://www.w3.org/2000/svg";
  const SHOWN_PASSAGES = 3; // closest passages shown open when the service abstains

  const SHOWN_EXAMPLES = 4; // suggested questions shown on an empty conversation

  // ---- theme (runs before first paint: this file is loaded in <head>) ----------------

  const root = document.documentElement;

  function readStorage(key) {
    try {
      return window.localStorage.getItem(key);
    } catch {
      return null; // storage can be disabled; the theme then follows the system
    }
  }

  function writeStorage(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch {
      /* not fatal: the choice just isn't remembered */
    }
  }

  const savedTheme = readStorage(THEME_KEY);
  if (savedTheme === "light" || savedTheme === "dark") root.dataset.theme = savedTheme;

  function effectiveTheme() {
    if (root.dataset.theme === "light" || root.dataset.theme === "dark") {
      return root.dataset.theme;
    }
    return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  // ---- small DOM helpers ---------------------------------------------------------------

  /** Create an element; children are nodes or strings (strings become text nodes). */
  function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") el.className = value;
      else if (key === "text") el.textContent = value;
      else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return el;
  }

  const ICONS = {
    doc: "M5 4h10l4 4v12H5z M14 4v5h5 M8 13h8 M8 17h6",
    arrow: "M5 12h14M13 6l6 6-6 6",
    info: "M12 8h.01M11 12h1v5h1 M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z",
    alert: "M12 8v5M12 16.5h.01 M10.3 3.9 2.6 17.5A2 2 0 0 0 4.3 20.5h15.4a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z",
    retry: "M4 12a8 8 0 0 1 14-5.3L20 9M20 4v5h-5M20 12a8 8 0 0 1-14 5.3L4 15M4 20v-5h5",
    spark: "M12 4v4M12 16v4M4 12h4M16 12h4M7 7l2 2M15 15l2 2M17 7l-2 2M9 15l-2 2",
  };

  function icon(name, cls = "icon") {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("class", cls);
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", ICONS[name]);
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", "currentColor");
    path.setAttribute("stroke-width", "1.8");
    path.setAttribute("stroke-linecap", "round");
    path.setAttribute("stroke-linejoin", "round");
    svg.append(path);
    return svg;
  }

  // ---- offsets ---------------------------------------------------------------------------

  /**
   * The service counts characters as code points (Python); JS strings count UTF-16 units.
   * They differ only when the text holds characters outside the BMP (emoji, rare scripts).
   */
  function unitIndex(str, codePoints) {
    if (!/[\uD800-\uDFFF]/.test(str)) return Math.min(codePoints, str.length);
    let units = 0;
    for (let i = 0; i < codePoints && units < str.length; i += 1) {
      units += str.codePointAt(units) > 0xffff ? 2 : 1;
    }
    return units;
  }

  /** Text of `str` with [from, to) (code points) wrapped in <mark>, as DOM nodes. */
  function markedText(str, from, to, markClass) {
    const frag = document.createDocumentFragment();
    const a = unitIndex(str, Math.max(0, from));
    const b = unitIndex(str, Math.max(0, to));
    if (!(from >= 0 && to > from && b > a)) {
      frag.append(document.createTextNode(str));
      return frag;
    }
    if (a > 0) frag.append(document.createTextNode(str.slice(0, a)));
    frag.append(h("mark", { class: markClass }, str.slice(a, b)));
    if (b < str.length) frag.append(document.createTextNode(str.slice(b)));
    return frag;
  }

  // ---- formatting ------------------------------------------------------------------------

  function formatDate(iso) {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    if (!match) return iso || "";
    const date = new Date(Date.UTC(+match[1], +match[2] - 1, +match[3]));
    return new Intl.DateTimeFormat(undefined, {
      day: "numeric",
      month: "long",
      year: "numeric",
      timeZone: "UTC",
    }).format(date);
  }

  /** Confidence in words a person understands, e.g. "High confidence · 92%". */
  function confidenceOf(value) {
    const pct = Math.round(Math.max(0, Math.min(1, value)) * 100);
    let level = "low";
    let words = "Low confidence";
    if (value >= 0.85) {
      level = "high";
      words = "High confidence";
    } else if (value >= 0.6) {
      level = "medium";
      words = "Medium confidence";
    }
    return { level, words, pct, label: `${words} · ${pct}%` };
  }

  function metaNodes(doc) {
    const parts = [];
    if (doc.author) parts.push(h("span", {}, `By ${doc.author}`));
    if (doc.date) parts.push(h("time", { datetime: doc.date }, formatDate(doc.date)));
    if (doc.source) parts.push(h("span", {}, doc.source));
    const nodes = [];
    parts.forEach((part, i) => {
      if (i > 0) nodes.push(h("span", { class: "sep", "aria-hidden": "true" }, "·"));
      nodes.push(part);
    });
    return nodes;
  }

  // ---- talking to the server -------------------------------------------------------------

  class ApiError extends Error {
    constructor(title, message) {
      super(message);
      this.title = title;
    }
  }

  /** The readable sentence for a failed response: the API's `message`, else `detail`. */
  function errorMessage(status, body) {
    if (body && typeof body.message === "string" && body.message) return body.message;
    if (body && typeof body.detail === "string" && body.detail) return body.detail;
    if (body && Array.isArray(body.detail) && body.detail[0] && body.detail[0].msg) {
      return body.detail.map((d) => d.msg).join("; ");
    }
    if (status === 401 || status === 403) return "The server refused the request (not authorised).";
    if (status === 429) return "Too many questions at once. Wait a moment and try again.";
    if (status >= 500) return `Something went wrong on the server (error ${status}). Try again.`;
    return `The server answered with an error (${status}).`;
  }

  async function api(path, { method = "GET", body, signal } = {}) {
    const controller = new AbortController();
    const timer = window.setTimeout(() => controller.abort("timeout"), REQUEST_TIMEOUT_MS);
    const onAbort = () => controller.abort("cancelled");
    if (signal) signal.addEventListener("abort", onAbort, { once: true });
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: body ? { "Content-Type": "application/json", Accept: "application/json" } : {
          Accept: "application/json",
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: controller.signal,
      });
    } catch (err) {
      if (controller.signal.aborted && controller.signal.reason === "cancelled") throw err;
      if (controller.signal.aborted) {
        throw new ApiError(
          "The server took too long",
          "No answer came back in time. Try again in a moment.",
        );
      }
      throw new ApiError(
        "Can't reach the server",
        "The question didn't get through. Check that the server is running and your " +
          "connection is up, then try again.",
      );
    } finally {
      window.clearTimeout(timer);
      if (signal) signal.removeEventListener("abort", onAbort);
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (!response.ok) {
      const title =
        response.status === 422 || response.status === 400
          ? "The question couldn't be asked"
          : "The server couldn't answer";
      throw new ApiError(title, errorMessage(response.status, data));
    }
    return data;
  }

  // ---- the page ----------------------------------------------------------------------------

  function init() {
    const els = {
      title: document.getElementById("doc-title"),
      meta: document.getElementById("doc-meta"),
      picker: document.getElementById("doc-picker"),
      select: document.getElementById("doc-select"),
      readDoc: document.getElementById("read-doc"),
      newChat: document.getElementById("new-chat"),
      themeToggle: document.getElementById("theme-toggle"),
      empty: document.getElementById("empty"),
      examplesBlock: document.getElementById("examples-block"),
      examples: document.getElementById("examples"),
      messages: document.getElementById("messages"),
      form: document.getElementById("ask-form"),
      input: document.getElementById("question"),
      send: document.getElementById("send"),
      hint: document.getElementById("composer-hint"),
      announcer: document.getElementById("announcer"),
      alerter: document.getElementById("alerter"),
      panel: document.getElementById("doc-panel"),
      panelTitle: document.getElementById("panel-title"),
      panelMeta: document.getElementById("panel-meta"),
      panelNote: document.getElementById("panel-note"),
      panelBody: document.getElementById("panel-body"),
      panelClose: document.getElementById("panel-close"),
    };
    const defaultHint = els.hint.textContent;

    const state = {
      documents: [],
      selected: "", // a document id, or "" for all documents
      turns: [], // answered turns, oldest first: the `history` sent with follow-ups
      busy: false,
      controller: null,
      conversation: 0, // bumped by "New conversation" so late answers are dropped
      docTexts: new Map(),
      suggestions: new Map(), // document id -> Promise of its suggested questions
      examplesShown: 0, // bumped per render so a late answer for another document is dropped
      panelOpener: null,
    };

    // -- theme toggle --

    function syncThemeButton() {
      const next = effectiveTheme() === "dark" ? "light" : "dark";
      const label = `Use ${next} theme`;
      els.themeToggle.setAttribute("aria-label", label);
      els.themeToggle.title = label;
    }

    els.themeToggle.addEventListener("click", () => {
      const next = effectiveTheme() === "dark" ? "light" : "dark";
      root.dataset.theme = next;
      writeStorage(THEME_KEY, next);
      syncThemeButton();
    });
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", syncThemeButton);
    syncThemeButton();

    // -- layout: keep scroll targets clear of the sticky header and composer --

    const topbar = document.querySelector(".topbar");
    const composer = document.querySelector(".composer-wrap");
    const observer = new ResizeObserver(() => {
      root.style.setProperty("--header-h", `${topbar.offsetHeight}px`);
      root.style.setProperty("--composer-h", `${composer.offsetHeight}px`);
    });
    observer.observe(topbar);
    observer.observe(composer);

    // -- screen-reader announcements --

    function announce(text, assertive = false) {
      const region = assertive ? els.alerter : els.announcer;
      region.textContent = "";
      // A fresh text node after a tick, so repeating the same sentence is read again.
      window.setTimeout(() => {
        region.textContent = text;
      }, 60);
    }

    // -- documents and the header --

    function documentById(id) {
      return state.documents.find((d) => d.id === id) || null;
    }

    function renderHeader() {
      const docs = state.documents;
      els.meta.replaceChildren();
      if (docs.length === 0) {
        els.title.textContent = "No documents yet";
        els.meta.textContent = "Add a document to start asking questions.";
        els.readDoc.hidden = true;
        els.picker.hidden = true;
        document.title = "Ask the article";
        return;
      }
      const current = documentById(state.selected) || (docs.length === 1 ? docs[0] : null);
      if (current) {
        els.title.textContent = current.title || current.id;
        els.title.title = current.title || current.id;
        els.meta.append(...metaNodes(current));
        document.title = `${current.title || current.id} · Ask the article`;
      } else {
        els.title.textContent = `${docs.length} documents`;
        els.meta.textContent = "Answers come from any of them; pick one to narrow it down.";
        document.title = "Ask the documents";
      }
      els.readDoc.hidden = !current;
      els.picker.hidden = docs.length < 2;
      if (docs.length >= 2) {
        els.select.replaceChildren(
          h("option", { value: "" }, `All ${docs.length} documents`),
          ...docs.map((d) => h("option", { value: d.id }, d.title || d.id)),
        );
        els.select.value = state.selected;
      }
    }

    /** The questions the server suggests for a document (it has checked it answers them). */
    function suggestionsFor(id) {
      if (!state.suggestions.has(id)) {
        const request = api(`/documents/${encodeURIComponent(id)}/suggestions`).then((data) =>
          (data && Array.isArray(data.questions) ? data.questions : [])
            .map((item) => (item && typeof item.question === "string" ? item.question.trim() : ""))
            .filter(Boolean),
        );
        // A failure is not remembered: the next render asks again.
        request.catch(() => state.suggestions.delete(id));
        state.suggestions.set(id, request);
      }
      return state.suggestions.get(id);
    }

    /**
     * Example questions for the selected document (the first one under "All documents"),
     * fetched from the server. Hidden while they load and when there are none; a failure
     * only costs the examples, so it is logged rather than shown.
     */
    async function renderExamples() {
      const shown = ++state.examplesShown;
      const current = documentById(state.selected) || state.documents[0];
      els.examplesBlock.hidden = true;
      els.examples.replaceChildren();
      if (!current) return;
      let questions;
      try {
        questions = (await suggestionsFor(current.id)).slice(0, SHOWN_EXAMPLES);
      } catch (err) {
        console.warn(`Couldn't load suggested questions for ${current.id}:`, err);
        return;
      }
      if (shown !== state.examplesShown) return; // another document was picked meanwhile
      els.examples.replaceChildren(
        ...questions.map((q) =>
          h(
            "li",
            {},
            h(
              "button",
              { class: "example", type: "button", onclick: () => ask(q) },
              icon("arrow"),
              h("span", {}, q),
            ),
          ),
        ),
      );
      els.examplesBlock.hidden = questions.length === 0;
    }

    async function loadDocuments() {
      try {
        const docs = await api("/documents");
        state.documents = Array.isArray(docs) ? docs : [];
        if (state.selected && !documentById(state.selected)) state.selected = "";
        renderHeader();
        renderExamples();
      } catch (err) {
        els.title.textContent = "Ask the article";
        els.meta.textContent = `Couldn't load the document list: ${err.message}`;
      }
    }

    els.select.addEventListener("change", () => {
      state.selected = els.select.value;
      renderHeader();
      renderExamples();
    });

    // -- the conversation --

    function setBusy(busy) {
      state.busy = busy;
      els.send.disabled = busy;
      els.form.setAttribute("aria-busy", busy ? "true" : "false");
      els.messages.setAttribute("aria-busy", busy ? "true" : "false");
    }

    function showEmpty(show) {
      els.empty.hidden = !show;
    }

    function reveal(el) {
      const room = window.innerHeight - topbar.offsetHeight - composer.offsetHeight;
      const behavior = window.matchMedia("(prefers-reduced-motion: reduce)").matches
        ? "auto"
        : "smooth";
      el.scrollIntoView({ block: el.offsetHeight > room ? "start" : "end", behavior });
    }

    function addMessage(role, content) {
      const li = h("li", { class: `msg msg-${role}` }, content);
      els.messages.append(li);
      reveal(li);
      return li;
    }

    function addUserMessage(question) {
      return addMessage("user", h("p", { class: "bubble" }, h("span", { class: "visually-hidden" }, "You asked: "), question));
    }

    function addPending() {
      return addMessage(
        "bot",
        h(
          "div",
          { class: "card pending", role: "status" },
          h("span", { class: "dots", "aria-hidden": "true" }, h("span"), h("span"), h("span")),
          "Reading the article…",
        ),
      );
    }

    function showButton(citation, answer, label = "Show in the article") {
      return h(
        "button",
        {
          class: "btn small subtle show-in-article",
          type: "button",
          onclick: (event) => openDocument(citation.document_id, citation, answer, event.currentTarget),
        },
        icon("doc"),
        label,
      );
    }

    function passageList(citations) {
      return h(
        "ol",
        { class: "passages" },
        citations.map((c) =>
          h(
            "li",
            { class: "passage" },
            h("blockquote", { class: "quote small" }, c.quote),
            showButton(c, null),
          ),
        ),
      );
    }

    function morePassages(count, kind = "") {
      return count === 1 ? `1 more ${kind}passage` : `${count} more ${kind}passages`;
    }

    /** The citation that holds the answer span (the API lists it first). */
    function citationFor(answer, citations) {
      return (
        citations.find(
          (c) =>
            c.document_id === answer.document_id &&
            c.start <= answer.start &&
            answer.end <= c.end,
        ) || null
      );
    }

    function renderAnswer(data, question) {
      const { answer } = data;
      const citations = Array.isArray(data.citations) ? data.citations : [];
      const source = citationFor(answer, citations);
      const others = citations.filter((c) => c !== source);
      const conf = confidenceOf(answer.confidence);
      const multi = state.documents.length > 1;
      const title = data.document_title || documentById(answer.document_id)?.title;

      const fill = h("span", { class: "meter-fill" });
      fill.style.width = `${conf.pct}%`;

      const card = h(
        "article",
        { class: "card answer", "aria-label": "Answer" },
        h("p", { class: "eyebrow" }, multi && title ? `Answer · from ${title}` : "Answer"),
        h("p", { class: "answer-text" }, answer.text),
        data.resolved_question && data.resolved_question.trim() !== question.trim()
          ? h("p", { class: "resolved" }, `Understood as “${data.resolved_question}”`)
          : null,
        source
          ? h(
              "blockquote",
              { class: "quote", "aria-label": "The passage it comes from" },
              markedText(
                source.quote,
                answer.start - source.start,
                answer.end - source.start,
                "hl-answer",
              ),
            )
          : null,
        h(
          "div",
          { class: "card-foot" },
          h(
            "span",
            {
              class: `confidence ${conf.level}`,
              title: "How sure the service is that this span answers the question",
            },
            h("span", { class: "meter", "aria-hidden": "true" }, fill),
            conf.label,
          ),
          showButton(
            source || {
              document_id: answer.document_id,
              start: answer.start,
              end: answer.end,
              quote: answer.text,
            },
            answer,
          ),
        ),
        others.length
          ? h(
              "details",
              { class: "more" },
              h("summary", {}, morePassages(others.length, "related ")),
              passageList(others),
            )
          : null,
      );
      const spoken = [`Answer: ${answer.text}.`, `${conf.words}, ${conf.pct} percent.`];
      if (source) spoken.push(`From the passage: ${source.quote}`);
      return { card, spoken: spoken.join(" ") };
    }

    function renderAbstention(data) {
      const citations = Array.isArray(data.citations) ? data.citations : [];
      const scope = state.documents.length > 1 && !state.selected ? "documents don't" : "article doesn't";
      // A yes or a no is not a quote: say so, rather than that the article is silent.
      const yesNo = data.abstention === "yes_no";
      const title = yesNo ? "That asks for a yes or a no." : `The ${scope} answer this.`;
      const sub = yesNo
        ? "Answers here are quoted from the text, so read the passages that bear on it:"
        : "Rather than guess, here are the closest passages it has:";
      const card = h(
        "article",
        { class: "card abstain", "aria-label": "No answer" },
        h(
          "div",
          { class: "abstain-head" },
          h("span", { class: "abstain-icon" }, icon("info")),
          h(
            "div",
            {},
            h("p", { class: "abstain-title" }, title),
            h(
              "p",
              { class: "abstain-sub" },
              citations.length ? sub : "Nothing in it comes close. Try asking in other words.",
            ),
          ),
        ),
        citations.length ? passageList(citations.slice(0, SHOWN_PASSAGES)) : null,
        citations.length > SHOWN_PASSAGES
          ? h(
              "details",
              { class: "more" },
              h("summary", {}, morePassages(citations.length - SHOWN_PASSAGES)),
              passageList(citations.slice(SHOWN_PASSAGES)),
            )
          : null,
      );
      const spoken = `${title} The closest passages are shown instead.`;
      return { card, spoken };
    }

    function renderError(err, question) {
      const card = h(
        "div",
        { class: "card error", role: "alert" },
        h(
          "div",
          { class: "error-body" },
          icon("alert"),
          h(
            "div",
            {},
            h("p", { class: "error-title" }, err.title || "Something went wrong"),
            h("p", { class: "error-text" }, err.message),
            h(
              "button",
              {
                class: "btn small",
                type: "button",
                onclick: (event) => {
                  const item = event.currentTarget.closest("li");
                  const asked = item.previousElementSibling;
                  item.remove();
                  if (asked && asked.classList.contains("msg-user")) asked.remove();
                  ask(question);
                },
              },
              icon("retry"),
              "Try again",
            ),
          ),
        ),
      );
      return card;
    }

    async function ask(rawQuestion) {
      const question = (rawQuestion || "").trim();
      if (state.busy) return;
      if (!question) {
        els.hint.textContent = "Type a question first.";
        els.hint.classList.add("warn");
        els.input.focus();
        return;
      }
      const conversation = state.conversation;
      showEmpty(false);
      // An example or "Try again" button just went away: keep the keyboard in the box.
      const active = document.activeElement;
      if (!active || active === document.body || !active.isConnected || active.closest("[hidden]")) {
        els.input.focus();
      }
      addUserMessage(question);
      const pending = addPending();
      setBusy(true);
      announce("Looking for the answer…");

      const body = { question, history: state.turns.slice(-MAX_HISTORY_TURNS) };
      if (state.selected) body.document_id = state.selected;
      state.controller = new AbortController();
      try {
        const data = await api("/ask", {
          method: "POST",
          body,
          signal: state.controller.signal,
        });
        if (conversation !== state.conversation) return;
        pending.remove();
        const view = data && data.answer ? renderAnswer(data, question) : renderAbstention(data || {});
        state.turns.push({ question, answer: data && data.answer ? data.answer.text : null });
        const item = addMessage("bot", view.card);
        item.dataset.kind = data && data.answer ? "answer" : "abstain";
        announce(view.spoken);
        if (state.documents.length === 0) loadDocuments();
      } catch (err) {
        if (conversation !== state.conversation) return;
        pending.remove();
        const apiError =
          err instanceof ApiError
            ? err
            : new ApiError("Something went wrong", "The page couldn't read the answer. Try again.");
        const item = addMessage("bot", renderError(apiError, question));
        item.dataset.kind = "error";
        announce(`${apiError.title}. ${apiError.message}`, true);
      } finally {
        if (conversation === state.conversation) {
          setBusy(false);
          state.controller = null;
        }
      }
    }

    function newConversation() {
      state.conversation += 1;
      if (state.controller) state.controller.abort();
      state.controller = null;
      state.turns = [];
      setBusy(false);
      els.messages.replaceChildren();
      showEmpty(true);
      els.input.value = "";
      autosize();
      resetHint();
      window.scrollTo({ top: 0 });
      announce("New conversation started.");
      els.input.focus();
    }

    // -- the composer --

    function autosize() {
      els.input.style.height = "auto";
      els.input.style.height = `${Math.min(els.input.scrollHeight, 200)}px`;
    }

    function resetHint() {
      els.hint.textContent = defaultHint;
      els.hint.classList.remove("warn");
    }

    els.input.addEventListener("input", () => {
      autosize();
      const left = 1000 - els.input.value.length;
      if (left <= 100) {
        els.hint.textContent = `${left} characters left.`;
        els.hint.classList.toggle("warn", left <= 20);
      } else {
        resetHint();
      }
    });

    els.input.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.shiftKey || event.altKey || event.isComposing) return;
      event.preventDefault();
      els.form.requestSubmit();
    });

    els.form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (state.busy) return;
      const value = els.input.value;
      if (!value.trim()) {
        ask("");
        return;
      }
      els.input.value = "";
      autosize();
      resetHint();
      ask(value);
    });

    els.newChat.addEventListener("click", newConversation);

    // -- the article panel --

    /** The document's text; fetched again if the cached copy no longer holds the quote. */
    async function documentText(id, citation) {
      const cached = state.docTexts.get(id);
      if (cached && (!citation || quoteAt(cached.text, citation))) return cached;
      const doc = await api(`/documents/${encodeURIComponent(id)}`);
      state.docTexts.set(id, doc);
      return doc;
    }

    function quoteAt(text, citation) {
      const start = unitIndex(text, citation.start);
      return text.slice(start, start + citation.quote.length) === citation.quote;
    }

    /**
     * The document as paragraphs, with the passage and the answer marked. The blank lines
     * between paragraphs stay in the DOM as (unrendered) text, so the panel's textContent
     * is exactly the document text every offset refers to.
     */
    function renderDocument(text, ranges) {
      const frag = document.createDocumentFragment();
      const cuts = ranges.map((r) => ({
        ...r,
        start: unitIndex(text, r.start),
        end: unitIndex(text, r.end),
      }));
      const breaks = /\n[ \t]*\n\s*/g;
      const paragraphs = [];
      let pos = 0;
      for (const match of text.matchAll(breaks)) {
        paragraphs.push([pos, match.index, match.index + match[0].length]);
        pos = match.index + match[0].length;
      }
      paragraphs.push([pos, text.length, text.length]);

      for (const [start, end, next] of paragraphs) {
        if (end > start) {
          const p = h("p");
          const points = new Set([start, end]);
          for (const r of cuts) {
            if (r.start > start && r.start < end) points.add(r.start);
            if (r.end > start && r.end < end) points.add(r.end);
          }
          const sorted = [...points].sort((x, y) => x - y);
          for (let i = 0; i + 1 < sorted.length; i += 1) {
            const [a, b] = [sorted[i], sorted[i + 1]];
            const piece = text.slice(a, b);
            const covering = cuts.filter((r) => r.start <= a && b <= r.end);
            if (covering.length === 0) {
              p.append(document.createTextNode(piece));
              continue;
            }
            const isAnswer = covering.some((r) => r.kind === "answer");
            const mark = h("mark", { class: isAnswer ? "hl-answer" : "hl-passage" }, piece);
            if (covering.some((r) => r.kind === "passage")) mark.dataset.passage = "";
            p.append(mark);
          }
          frag.append(p);
        }
        if (next > end) frag.append(document.createTextNode(text.slice(end, next)));
      }
      return frag;
    }

    async function openDocument(id, citation, answer, opener) {
      state.panelOpener = opener || document.activeElement;
      const summary = documentById(id);
      els.panelTitle.textContent = summary ? summary.title || summary.id : "The article";
      els.panelMeta.replaceChildren(...(summary ? metaNodes(summary) : []));
      els.panelNote.hidden = true;
      els.panelBody.replaceChildren(h("p", { class: "loading" }, "Loading the article…"));
      if (!els.panel.open) els.panel.showModal();
      els.panelBody.scrollTop = 0;

      let doc;
      try {
        doc = await documentText(id, citation);
      } catch (err) {
        els.panelBody.replaceChildren(
          h("p", { class: "error-text", role: "alert" }, `Couldn't open the article. ${err.message}`),
        );
        return;
      }
      els.panelTitle.textContent = doc.title || doc.id;
      els.panelMeta.replaceChildren(...metaNodes(doc));
      const ranges = [];
      if (citation) ranges.push({ kind: "passage", start: citation.start, end: citation.end });
      if (answer) ranges.push({ kind: "answer", start: answer.start, end: answer.end });
      els.panelBody.replaceChildren(renderDocument(doc.text, ranges));

      if (citation) {
        els.panelNote.replaceChildren(
          answer
            ? h("span", {}, "The passage is highlighted; the answer, ", h("mark", { class: "hl-answer" }, answer.text), ", stands out within it.")
            : "The passage is highlighted.",
        );
        els.panelNote.hidden = false;
        const target = els.panelBody.querySelector("mark");
        if (target) {
          target.tabIndex = -1;
          target.scrollIntoView({ block: "center" });
          target.focus({ preventScroll: true });
        }
      } else {
        els.panelClose.focus();
      }
    }

    function closePanel() {
      if (els.panel.open) els.panel.close();
    }

    els.panelClose.addEventListener("click", closePanel);
    els.panel.addEventListener("click", (event) => {
      if (event.target === els.panel) closePanel(); // a click on the backdrop
    });
    els.panel.addEventListener("close", () => {
      const opener = state.panelOpener;
      state.panelOpener = null;
      if (opener && opener.isConnected) opener.focus();
    });
    els.readDoc.addEventListener("click", (event) => {
      const current = documentById(state.selected) || state.documents[0];
      if (current) openDocument(current.id, null, null, event.currentTarget);
    });

    // -- start --

    setBusy(false);
    loadDocuments();
    if (!window.matchMedia("(pointer: coarse)").matches) els.input.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

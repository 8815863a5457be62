// casebot webchat: posts to the gateway's /webchat/messages and shows the replies.
// Every word from the user or the bot goes into the page with textContent, never as markup.
(() => {
  "use strict";

  const SENDER_KEY = "casebot.sender";
  const HISTORY_PREFIX = "casebot.history.";
  const HISTORY_LIMIT = 200;
  const SENDER_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
  const SENDERS = new Set(["user", "bot"]);
  const TEXT = {
    generic: "Something went wrong. Please try again.",
    network: "Could not reach the assistant. Check your connection and try again.",
    unavailable: "The assistant is not available right now. Please try again in a few minutes.",
    invalid: "That message could not be sent. Please check it and try again.",
    tooLong: (max) => `Your message is too long. Please keep it under ${max} characters.`,
    imageAlt: "Image from the assistant",
    notSent: "Not sent",
  };

  const root = document.getElementById("chat");
  const log = document.getElementById("chat-log");
  const scroller = root.querySelector(".chat-body");
  const form = document.getElementById("chat-form");
  const input = document.getElementById("chat-input");
  const sendButton = document.getElementById("chat-send");
  const typing = document.getElementById("chat-typing");
  const restart = document.getElementById("chat-restart");
  const messagesUrl = root.dataset.messagesUrl;
  const maxChars = Number(root.dataset.maxChars) || Infinity;
  // A host site that knows its user signs an identity token for them and hands it over as
  // window.casebotIdentityToken (or a data-identity-token attribute on the chat element).
  // Inside the embed snippet's frame, the host page hands the token over with postMessage;
  // only a page of an origin the gateway allows to embed the chat is listened to.
  const allowedOrigins = new Set(
    (root.dataset.allowedOrigins || "").split(" ").filter(Boolean).concat(window.location.origin),
  );
  let embeddedToken = null;
  window.addEventListener("message", (event) => {
    if (event.source !== window.parent || window.parent === window) return;
    if (!allowedOrigins.has(event.origin)) return;
    const data = event.data;
    if (data && data.type === "casebot:identity" && typeof data.token === "string") {
      embeddedToken = data.token;
    }
  });
  function identityToken() {
    const token = embeddedToken || window.casebotIdentityToken || root.dataset.identityToken;
    return typeof token === "string" && token ? token : null;
  }

  // Storage may be disabled (private windows, blocked site data); the chat still works, it just
  // forgets on reload.
  const store = {
    get(key) {
      try { return window.localStorage.getItem(key); } catch { return null; }
    },
    set(key, value) {
      try { window.localStorage.setItem(key, value); } catch { /* not persisted */ }
    },
    remove(key) {
      try { window.localStorage.removeItem(key); } catch { /* nothing to forget */ }
    },
  };

  function newSenderId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    // randomUUID exists only on secure origins (https, localhost); plain http gets this instead.
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function loadSender() {
    const saved = store.get(SENDER_KEY);
    if (saved && SENDER_PATTERN.test(saved)) return saved;
    const fresh = newSenderId();
    store.set(SENDER_KEY, fresh);
    return fresh;
  }

  function loadHistory(id) {
    try {
      const saved = JSON.parse(store.get(HISTORY_PREFIX + id) || "[]");
      return Array.isArray(saved) ? saved.map(cleanEntry).filter(Boolean) : [];
    } catch {
      return [];
    }
  }

  let sender = loadSender();
  let history = loadHistory(sender);
  let busy = false;
  // Bumped by "Start over" so an answer still on its way is not shown in the new conversation.
  let generation = 0;

  function remember(entry) {
    history.push(entry);
    if (history.length > HISTORY_LIMIT) history = history.slice(-HISTORY_LIMIT);
    store.set(HISTORY_PREFIX + sender, JSON.stringify(history));
  }

  function safeImageUrl(value) {
    try {
      const url = new URL(value, window.location.href);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch {
      return null;
    }
  }

  // Keeps only what the page knows how to show, as plain strings; anything else is dropped.
  function cleanEntry(raw) {
    if (!raw || typeof raw !== "object" || !SENDERS.has(raw.from)) return null;
    const entry = { from: raw.from };
    if (typeof raw.text === "string" && raw.text !== "") entry.text = raw.text;
    if (typeof raw.image === "string" && safeImageUrl(raw.image)) entry.image = raw.image;
    if (Array.isArray(raw.buttons)) {
      const buttons = raw.buttons
        .filter((b) => b && typeof b.title === "string" && typeof b.payload === "string")
        .map((b) => ({ title: b.title, payload: b.payload }));
      if (buttons.length) entry.buttons = buttons;
    }
    return entry.text || entry.image || entry.buttons ? entry : null;
  }

  function scrollToEnd() {
    scroller.scrollTop = scroller.scrollHeight;
  }

  function disableButtons(except) {
    for (const button of log.querySelectorAll(".msg-buttons button")) {
      if (!except || !except.contains(button)) button.disabled = true;
    }
  }

  function render(entry) {
    const item = document.createElement("li");
    item.className = `msg ${entry.from}`;
    if (entry.text) {
      const text = document.createElement("p");
      text.className = "msg-text";
      text.textContent = entry.text;
      item.appendChild(text);
    }
    if (entry.image) {
      const image = document.createElement("img");
      image.className = "msg-image";
      image.src = safeImageUrl(entry.image);
      image.alt = TEXT.imageAlt;
      image.loading = "lazy";
      image.addEventListener("load", scrollToEnd);
      item.appendChild(image);
    }
    if (entry.buttons) {
      const group = document.createElement("div");
      group.className = "msg-buttons";
      group.setAttribute("role", "group");
      for (const choice of entry.buttons) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = choice.title;
        button.addEventListener("click", () => {
          if (!busy) send(choice.payload, choice.title);
        });
        group.appendChild(button);
      }
      item.appendChild(group);
    }
    log.appendChild(item);
    scrollToEnd();
    return item;
  }

  function showError(message) {
    const item = document.createElement("li");
    item.className = "msg error";
    item.setAttribute("role", "alert");
    item.textContent = message;
    log.appendChild(item);
    scrollToEnd();
  }

  function setBusy(value) {
    busy = value;
    sendButton.disabled = value;
    typing.hidden = !value;
    log.setAttribute("aria-busy", String(value));
    if (value) scrollToEnd();
  }

  async function errorMessage(response) {
    try {
      const body = await response.json();
      if (body && typeof body.detail === "string") return body.detail;
    } catch {
      // not our JSON: a proxy's error page, say
    }
    if (response.status === 413) return TEXT.tooLong(maxChars);
    if (response.status === 422) return TEXT.invalid;
    if (response.status >= 502 && response.status <= 504) return TEXT.unavailable;
    return TEXT.generic;
  }

  // The websocket carries messages when it opens; POST is the fallback when it cannot. A
  // message whose socket dropped before the answer is reported as not sent (it may have
  // reached the assistant), never sent again on its own.
  const socketUrl = root.dataset.socketUrl;
  const SOCKET_OPEN_TIMEOUT_MS = 3000;
  let socketReady = null;
  let socketFailed = false;
  let nextFrameId = 1;
  const pending = new Map();

  function openSocket() {
    if (socketFailed || !socketUrl || !("WebSocket" in window)) return Promise.resolve(null);
    if (socketReady) return socketReady;
    socketReady = new Promise((resolve) => {
      const url = new URL(socketUrl, window.location.href);
      url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
      let ws;
      try {
        ws = new WebSocket(url);
      } catch {
        socketFailed = true;
        socketReady = null;
        resolve(null);
        return;
      }
      let opened = false;
      const timer = setTimeout(() => ws.close(), SOCKET_OPEN_TIMEOUT_MS);
      ws.addEventListener("open", () => {
        opened = true;
        clearTimeout(timer);
        resolve(ws);
      });
      ws.addEventListener("message", (event) => {
        let data;
        try {
          data = JSON.parse(event.data);
        } catch {
          return;
        }
        // the assistant speaking first (a queued case was filed), or a person in a live chat:
        // shown as it comes
        if (data && data.notice === true && Array.isArray(data.replies)) {
          liveChat = true;
          agentTyping(data.replies.some((r) => r && r.custom && r.custom.typing === true));
          showReplies(data.replies);
          return;
        }
        const settle = pending.get(data && data.id);
        if (!settle) return;
        pending.delete(data.id);
        settle(data);
      });
      ws.addEventListener("close", () => {
        clearTimeout(timer);
        // never opened: this network or proxy does not pass websockets, use POST from now on
        if (!opened) socketFailed = true;
        socketReady = null;
        for (const settle of pending.values()) settle({ lost: true });
        pending.clear();
        resolve(null);
      });
    });
    return socketReady;
  }

  async function sendOverSocket(message) {
    const ws = await openSocket();
    if (!ws) return null;
    const id = nextFrameId++;
    const answered = new Promise((resolve) => pending.set(id, resolve));
    const frame = { id, sender, message };
    if (identityToken()) frame.token = identityToken();
    try {
      ws.send(JSON.stringify(frame));
    } catch {
      pending.delete(id);
      return null;
    }
    const data = await answered;
    if (data.lost) return { error: TEXT.network };
    if (typeof data.error === "string") return { error: data.error };
    return Array.isArray(data.replies) ? { replies: data.replies } : { error: TEXT.generic };
  }

  async function post(message) {
    return (await sendOverSocket(message)) || postOverHttp(message);
  }

  async function postOverHttp(message) {
    let response;
    try {
      response = await fetch(messagesUrl, {
        method: "POST",
        headers: Object.assign(
          { "Content-Type": "application/json", Accept: "application/json" },
          identityToken() ? { Authorization: `Bearer ${identityToken()}` } : {},
        ),
        body: JSON.stringify({ sender, message }),
      });
    } catch {
      return { error: TEXT.network };
    }
    if (!response.ok) return { error: await errorMessage(response) };
    try {
      const replies = await response.json();
      return Array.isArray(replies) ? { replies } : { error: TEXT.generic };
    } catch {
      return { error: TEXT.generic };
    }
  }

  // Sends `message` (a typed text or a button's payload) and shows `shown` as the user's words.
  // Resolves to whether the assistant got it.
  async function send(message, shown) {
    const mine = generation;
    const userEntry = { from: "user", text: shown };
    disableButtons();
    const userItem = render(userEntry);
    setBusy(true);
    const result = await post(message);
    if (mine !== generation) return false;
    setBusy(false);
    if (result.error) {
      userItem.classList.add("failed");
      userItem.setAttribute("aria-label", `${TEXT.notSent}: ${shown}`);
      showError(result.error);
      return false;
    }
    remember(userEntry);
    showReplies(result.replies);
    return true;
  }

  function showReplies(replies) {
    for (const reply of replies) {
      const entry = cleanEntry({ ...reply, from: "bot" });
      if (!entry) continue;
      render(entry);
      remember(entry);
    }
  }

  function autosize() {
    input.style.height = "auto";
    input.style.height = `${input.scrollHeight}px`;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || busy) return;
    if (text.length > maxChars) {
      showError(TEXT.tooLong(maxChars));
      return;
    }
    input.value = "";
    autosize();
    const mine = generation;
    const delivered = await send(text, text);
    // Give the words back so a failed message can be sent again without retyping.
    if (!delivered && mine === generation && !input.value) {
      input.value = text;
      autosize();
    }
    input.focus();
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener("input", autosize);

  // A person in a live chat sees that the customer is typing, and the customer sees it of them.
  // The gateway answers the same whether or not a chat is live, so the page only asks once it
  // has been written to first, and at most every few seconds.
  const TYPING_EVERY_MS = 3000;
  const typingUrl = messagesUrl.replace(/messages$/, "typing");
  let liveChat = false;
  let typingSentAt = 0;
  let typingTimer = null;

  function agentTyping(isTyping) {
    clearTimeout(typingTimer);
    if (!isTyping) {
      typing.hidden = !busy;
      return;
    }
    typing.hidden = false;
    typingTimer = setTimeout(() => {
      typing.hidden = !busy;
    }, TYPING_EVERY_MS);
  }

  input.addEventListener("input", () => {
    if (!liveChat || !input.value || Date.now() - typingSentAt < TYPING_EVERY_MS) return;
    typingSentAt = Date.now();
    fetch(typingUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender }),
    }).catch(() => {});
  });

  restart.addEventListener("click", () => {
    generation += 1;
    store.remove(HISTORY_PREFIX + sender);
    sender = newSenderId();
    store.set(SENDER_KEY, sender);
    history = [];
    log.replaceChildren();
    setBusy(false);
    input.value = "";
    autosize();
    input.focus();
  });

  for (const entry of history) render(entry);
  // Only the latest bot message's buttons still make sense to press.
  const last = log.lastElementChild;
  disableButtons(last && last.classList.contains("bot") ? last : null);
})();

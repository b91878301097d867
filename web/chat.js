/*
 * The advisor's chat widget: a small socket.io client for Rasa's socket.io channel.
 *
 * Needs, loaded before it: window.io (socket.io-client), window.marked and window.DOMPurify (Markdown
 * rendering; without them bot texts show as plain text) and window.ADVISOR_CONFIG, e.g.
 *   { rasaUrl: "http://127.0.0.1:5005", socketPath: "/socket.io/", initPayload: "/greet" }
 * It mounts into the element with the attribute data-advisor-chat (or id="advisor-chat"); that element's
 * data-rasa-url, if set, overrides the configured URL.
 *
 * Protocol (Rasa's socket.io channel with session_persistence: true):
 *   on every connect   -> session_request {session_id: <stored id or null>}
 *   session_confirm    <- the session credential (the conversation is stored under an id derived from it), in localStorage
 *   user_uttered       -> {message, session_id}
 *   bot_uttered        <- {text, quick_replies?: [{title, payload}]} (also accepts buttons: [...])
 * The transcript is kept in localStorage next to the session id, so a reload shows it again and the
 * conversation continues under the same sender id.
 */
(function () {
  "use strict";

  var MAX_KEPT = 300; // messages kept in the browser
  var TYPING_TIMEOUT_MS = 45000;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }

  // --- Markdown -----------------------------------------------------------------------------------
  var markdownReady = false;
  function setUpMarkdown() {
    if (markdownReady || !window.DOMPurify || !window.marked) return markdownReady;
    window.DOMPurify.addHook("afterSanitizeAttributes", function (node) {
      if (node.tagName === "A" && node.getAttribute("href")) {
        node.setAttribute("target", "_blank");
        node.setAttribute("rel", "noopener noreferrer");
      }
    });
    markdownReady = true;
    return true;
  }

  function renderMarkdown(container, text) {
    if (!setUpMarkdown()) {
      container.classList.add("ac-plain");
      container.textContent = text;
      return;
    }
    var html = window.marked.parse(text, { gfm: true, breaks: true, async: false });
    var fragment = window.DOMPurify.sanitize(html, {
      RETURN_DOM_FRAGMENT: true,
      FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select", "iframe"],
      FORBID_ATTR: ["style"],
    });
    // wide tables scroll inside the bubble instead of widening the page
    Array.prototype.forEach.call(fragment.querySelectorAll("table"), function (table) {
      var wrap = el("div", "ac-table-wrap");
      table.parentNode.insertBefore(wrap, table);
      wrap.appendChild(table);
    });
    container.appendChild(fragment);
  }

  // --- storage ------------------------------------------------------------------------------------
  function Store(key) {
    this.key = key;
  }
  Store.prototype.load = function () {
    try {
      var data = JSON.parse(window.localStorage.getItem(this.key) || "null");
      if (data && typeof data === "object" && Array.isArray(data.messages)) return data;
    } catch (e) {
      /* unreadable or unavailable: start fresh */
    }
    return { sessionId: null, messages: [] };
  };
  Store.prototype.save = function (state) {
    try {
      var messages = state.messages.slice(-MAX_KEPT);
      window.localStorage.setItem(this.key, JSON.stringify({ sessionId: state.sessionId, messages: messages }));
    } catch (e) {
      /* storage full or disabled: the chat still works, only without history */
    }
  };
  Store.prototype.clear = function () {
    try {
      window.localStorage.removeItem(this.key);
    } catch (e) {}
  };

  // --- the widget ---------------------------------------------------------------------------------
  function Chat(root, config) {
    this.root = root;
    this.config = config;
    this.store = new Store("advisor-chat:" + config.rasaUrl);
    this.state = this.store.load();
    this.ready = false; // connected and in our session's room
    this.everConnected = false;
    this.typingTimer = null;
    this.build();
    this.renderAll();
    this.connect();
  }

  Chat.prototype.build = function () {
    var root = this.root;
    root.classList.add("ac");
    root.setAttribute("data-state", "connecting");

    var header = el("div", "ac-header");
    var heading = el("div", "ac-heading");
    heading.appendChild(el("span", "ac-avatar", "A"));
    var titles = el("div", "ac-titles");
    titles.appendChild(el("div", "ac-title", this.config.title));
    this.statusText = el("div", "ac-status", "Connecting…");
    titles.appendChild(this.statusText);
    heading.appendChild(titles);
    header.appendChild(heading);
    this.restartButton = el("button", "ac-restart", "New chat");
    this.restartButton.type = "button";
    this.restartButton.title = "Forget this conversation and start a new one";
    header.appendChild(this.restartButton);

    this.banner = el("div", "ac-banner");
    this.banner.setAttribute("role", "alert");
    this.banner.hidden = true;

    this.log = el("div", "ac-log");
    this.log.setAttribute("role", "log");
    this.log.setAttribute("aria-live", "polite");
    this.log.setAttribute("aria-label", "Conversation");
    this.messagesBox = el("div", "ac-messages");
    this.log.appendChild(this.messagesBox);
    this.typing = el("div", "ac-msg ac-bot ac-typing");
    this.typing.setAttribute("aria-label", "The advisor is typing");
    var dots = el("div", "ac-bubble ac-dots");
    dots.appendChild(el("span"));
    dots.appendChild(el("span"));
    dots.appendChild(el("span"));
    this.typing.appendChild(dots);
    this.typing.hidden = true;
    this.log.appendChild(this.typing);

    this.form = el("form", "ac-form");
    this.form.setAttribute("autocomplete", "off");
    var label = el("label", "ac-sr-only", "Your message");
    label.setAttribute("for", "ac-input");
    this.input = el("input", "ac-input");
    this.input.id = "ac-input";
    this.input.type = "text";
    this.input.maxLength = 500;
    this.input.placeholder = "Ask about CSM or CSPO…";
    this.sendButton = el("button", "ac-send", "Send");
    this.sendButton.type = "submit";
    this.form.appendChild(label);
    this.form.appendChild(this.input);
    this.form.appendChild(this.sendButton);

    root.textContent = "";
    root.appendChild(header);
    root.appendChild(this.banner);
    root.appendChild(this.log);
    root.appendChild(this.form);

    var self = this;
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = self.input.value.trim();
      if (!text) return;
      if (self.send(text, text)) self.input.value = "";
    });
    this.restartButton.addEventListener("click", function () {
      self.restart();
    });
    this.messagesBox.addEventListener("click", function (event) {
      var button = event.target.closest("button.ac-reply");
      if (!button || button.disabled) return;
      var index = Number(button.getAttribute("data-message"));
      var message = self.state.messages[index];
      var reply = message && message.replies && message.replies[Number(button.getAttribute("data-reply"))];
      if (reply && self.send(reply.payload, reply.title)) {
        message.chosen = Number(button.getAttribute("data-reply"));
        self.save();
        self.renderAll();
      }
    });
  };

  // --- connection ---------------------------------------------------------------------------------
  Chat.prototype.connect = function () {
    if (typeof window.io !== "function") {
      this.setState("offline", "The chat could not load (socket.io client missing).");
      return;
    }
    var self = this;
    var socket = window.io(this.config.rasaUrl, {
      path: this.config.socketPath,
      // A websocket first: one connection, so one server process holds the session, whichever of the Rasa
      // server's workers takes it (make run starts two); long-polling only where the server offers it and a
      // websocket cannot be opened (a proxy that refuses upgrades).
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      reconnection: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 4000,
      timeout: 8000,
    });
    this.socket = socket;

    socket.on("connect", function () {
      self.ready = false;
      self.setState("connecting", "Connecting…");
      socket.emit("session_request", { session_id: self.state.sessionId || null });
    });
    socket.on("session_confirm", function (data) {
      var id = typeof data === "string" ? data : data && data.session_id;
      if (!id) return;
      if (self.state.sessionId && self.state.sessionId !== id) {
        self.state.messages = []; // the server gave us another conversation
      }
      self.state.sessionId = id;
      self.save();
      self.ready = true;
      self.everConnected = true;
      self.setState("online", "Online");
      self.renderAll();
      if (self.state.messages.length === 0 && self.config.initPayload) {
        self.send(self.config.initPayload, null);
      }
    });
    socket.on(this.config.botEvent, function (message) {
      self.receive(message);
    });
    socket.on("disconnect", function (reason) {
      self.ready = false;
      self.hideTyping();
      if (reason === "io server disconnect") socket.connect(); // kicked: try again
      self.setState("offline");
    });
    socket.on("connect_error", function () {
      self.ready = false;
      self.hideTyping();
      self.setState("offline");
    });
  };

  Chat.prototype.setState = function (state, status) {
    this.root.setAttribute("data-state", state);
    var offline = state === "offline";
    if (offline) {
      this.statusText.textContent = "Offline";
      this.banner.textContent = this.everConnected
        ? "The advisor can't be reached right now. Your conversation is kept; this chat reconnects by itself as soon as the server is back."
        : "The advisor can't be reached right now. Retrying… If this lasts, the chat server may be down: please try again later.";
      if (status) this.banner.textContent = status;
    } else {
      this.statusText.textContent = status || "";
    }
    if (this.banner.hidden !== !offline) {
      this.banner.hidden = !offline;
      this.scrollDown(); // the banner changes the height of the conversation
    }
    this.sendButton.disabled = state !== "online";
    this.input.placeholder = offline ? "Waiting for the advisor…" : "Ask about CSM or CSPO…";
  };

  // --- messages -----------------------------------------------------------------------------------
  // `text` goes to Rasa; `shown` is what the conversation shows (null: nothing, e.g. the init payload).
  Chat.prototype.send = function (text, shown) {
    if (!this.ready || !this.socket) {
      this.banner.hidden = false;
      return false;
    }
    this.socket.emit(this.config.userEvent, { message: text, session_id: this.state.sessionId });
    if (shown !== null) this.state.messages.push({ from: "user", text: shown });
    this.state.messages.forEach(function (m) {
      if (m.replies) m.used = true; // answered: older buttons no longer apply
    });
    this.save();
    this.renderAll();
    if (!this.state.withPerson) this.showTyping(); // a trainer answers when they answer: no typing dots
    return true;
  };

  Chat.prototype.receive = function (data) {
    if (!data || typeof data !== "object") return;
    if (data.advisor === "conversation_forgotten") return this.forgotten();
    // live handoff (docs/handoff.md): "person" while a trainer is coming or answering, "bot" when the bot is back
    if (data.handoff === "person") this.state.withPerson = true;
    else if (data.handoff === "bot") this.state.withPerson = false;
    var message = { from: "bot", text: typeof data.text === "string" ? data.text : "" };
    var buttons = data.quick_replies || data.buttons || [];
    if (Array.isArray(buttons) && buttons.length) {
      message.replies = buttons
        .filter(function (b) {
          return b && (b.title || b.payload);
        })
        .map(function (b) {
          return { title: String(b.title || b.payload), payload: String(b.payload || b.title) };
        });
    }
    if (data.attachment && data.attachment.type === "image" && data.attachment.payload) {
      message.image = String(data.attachment.payload.src || "");
    }
    if (!message.text && !message.replies && !message.image) return; // custom payloads: nothing to show
    this.state.messages.push(message);
    this.save();
    this.hideTyping();
    this.renderAll(true);
  };

  Chat.prototype.renderMessage = function (message, index) {
    var row = el("div", "ac-msg " + (message.from === "user" ? "ac-user" : "ac-bot"));
    if (message.text) {
      var bubble = el("div", "ac-bubble");
      if (message.from === "user") bubble.textContent = message.text;
      else renderMarkdown(bubble, message.text);
      row.appendChild(bubble);
    }
    if (message.image && /^https?:\/\//.test(message.image)) {
      var img = el("img", "ac-image");
      img.src = message.image;
      img.alt = "";
      row.appendChild(img);
    }
    if (message.replies && message.replies.length) {
      var group = el("div", "ac-replies");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Suggested answers");
      message.replies.forEach(function (reply, r) {
        var button = el("button", "ac-reply", reply.title);
        button.type = "button";
        button.setAttribute("data-message", String(index));
        button.setAttribute("data-reply", String(r));
        button.setAttribute("data-payload", reply.payload);
        if (message.used) button.disabled = true;
        if (message.chosen === r) button.classList.add("ac-chosen");
        group.appendChild(button);
      });
      row.appendChild(group);
    }
    return row;
  };

  // fromAnswerStart: after a bot message, show the start of the answer when it is taller than the view
  Chat.prototype.renderAll = function (fromAnswerStart) {
    var box = this.messagesBox;
    box.textContent = "";
    var self = this;
    this.state.messages.forEach(function (message, i) {
      box.appendChild(self.renderMessage(message, i));
    });
    this.scrollDown(fromAnswerStart);
  };

  Chat.prototype.scrollDown = function (fromAnswerStart) {
    var log = this.log;
    var rows = this.messagesBox.children;
    window.requestAnimationFrame(function () {
      var target = log.scrollHeight;
      if (fromAnswerStart) {
        var first = null; // first bot message since the visitor's last message
        for (var i = rows.length - 1; i >= 0 && !rows[i].classList.contains("ac-user"); i--) first = rows[i];
        if (first && log.scrollHeight - (first.offsetTop - 8) > log.clientHeight) target = first.offsetTop - 8;
      }
      log.scrollTop = target;
    });
  };

  Chat.prototype.showTyping = function () {
    var self = this;
    this.typing.hidden = false;
    this.root.setAttribute("aria-busy", "true");
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(function () {
      self.hideTyping();
    }, TYPING_TIMEOUT_MS);
    this.scrollDown();
  };

  Chat.prototype.hideTyping = function () {
    clearTimeout(this.typingTimer);
    this.typing.hidden = true;
    this.root.removeAttribute("aria-busy");
  };

  Chat.prototype.save = function () {
    this.store.save(this.state);
  };

  // The user said "forget me" and confirmed: the server has erased the conversation (PRIVACY.md). The
  // browser's copy of the transcript goes too; only the bot's last words ("Done: ... deleted") stay on
  // screen, and a new session (a new conversation) is asked for.
  Chat.prototype.forgotten = function () {
    var last = this.state.messages.length ? this.state.messages[this.state.messages.length - 1] : null;
    var kept = last && last.from === "bot" ? [{ from: "bot", text: last.text }] : [];
    this.store.clear();
    this.state = { sessionId: null, messages: kept };
    this.hideTyping();
    this.renderAll();
    if (this.socket && this.socket.connected) {
      this.ready = false;
      this.socket.emit("session_request", { session_id: null });
    }
  };

  Chat.prototype.restart = function () {
    this.store.clear();
    this.state = { sessionId: null, messages: [] };
    this.hideTyping();
    this.renderAll();
    if (this.socket && this.socket.connected) {
      this.ready = false;
      this.socket.emit("session_request", { session_id: null });
    }
  };

  // --- start --------------------------------------------------------------------------------------
  function start() {
    var root = document.querySelector("[data-advisor-chat]") || document.getElementById("advisor-chat");
    if (!root) return;
    var given = window.ADVISOR_CONFIG || {};
    var config = {
      rasaUrl: (root.getAttribute("data-rasa-url") || given.rasaUrl || window.location.origin).replace(/\/+$/, ""),
      socketPath: given.socketPath || "/socket.io/",
      initPayload: given.initPayload === undefined ? "/greet" : given.initPayload,
      title: given.title || "CSM / CSPO advisor",
      userEvent: given.userEvent || "user_uttered",
      botEvent: given.botEvent || "bot_uttered",
    };
    window.advisorChat = new Chat(root, config);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

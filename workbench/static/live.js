// The Live page of one conversation (workbench/live.py): shows the user's new messages as they come and sends
// the trainer's replies without reloading. A static file: the page's data comes from its data-* attributes and
// /live/poll (JSON); text is always inserted as text, never as HTML.
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root) { return; }
  var id = root.getAttribute("data-id");
  var after = parseInt(root.getAttribute("data-after"), 10) || 0;
  var state = root.getAttribute("data-state");
  var trainer = root.getAttribute("data-trainer");
  var transcript = document.getElementById("transcript");
  var busy = false;

  function add(turn) {
    var div = document.createElement("div");
    div.className = "msg " + turn.kind;
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = turn.who;
    div.appendChild(who);
    div.appendChild(document.createTextNode(" " + turn.text));
    transcript.appendChild(div);
    div.scrollIntoView({block: "nearest"});
  }

  function poll() {
    if (busy) { return; }
    busy = true;
    fetch("/live/poll?id=" + encodeURIComponent(id) + "&after=" + after, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        busy = false;
        if (!data) { return; }
        data.turns.forEach(add);
        after = data.next;
        if ((data.state || "") !== state || (data.trainer || "") !== trainer) {
          window.location.replace("/live/c?id=" + encodeURIComponent(id));  // taken, handed back or timed out
        }
      })
      .catch(function () { busy = false; });
  }

  var reply = document.getElementById("reply");
  if (reply) {
    reply.addEventListener("submit", function (event) {
      event.preventDefault();
      var box = reply.querySelector("textarea");
      var body = new URLSearchParams(new FormData(reply));
      box.disabled = true;
      fetch(reply.getAttribute("action"), {method: "POST", credentials: "same-origin", body: body,
                                           headers: {"Accept": "application/json"}})
        .then(function (r) { return r.json().then(function (d) { return {ok: r.ok, data: d}; }); })
        .then(function (res) {
          box.disabled = false;
          if (res.ok) { box.value = ""; poll(); } else { alert("Not sent: " + (res.data.error || "error")); }
          box.focus();
        })
        .catch(function () { box.disabled = false; alert("Not sent: the workbench did not answer"); });
    });
  }
  window.setInterval(poll, 1500);
})();

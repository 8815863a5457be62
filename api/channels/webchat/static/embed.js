// casebot webchat for any website. Add to a page:
//
//   <script src="https://chat.example.com/static/embed.js" defer
//           data-title="Help" data-identity-token="<token signed by your site, optional>"></script>
//
// It adds a "Chat with us" button that opens the chat page of the gateway that served this
// script in a frame. The identity token (or window.casebotIdentityToken) is handed to the
// frame with postMessage, addressed to the gateway's origin only.
(function () {
  "use strict";

  const script = document.currentScript;
  if (!script || document.getElementById("casebot-launcher")) return;
  const chatUrl = new URL("../", script.src);
  const title = script.dataset.title || "Chat with us";

  function identityToken() {
    const token = window.casebotIdentityToken || script.dataset.identityToken;
    return typeof token === "string" && token ? token : null;
  }

  const launcher = document.createElement("button");
  launcher.id = "casebot-launcher";
  launcher.type = "button";
  launcher.textContent = title;
  launcher.setAttribute("aria-expanded", "false");
  Object.assign(launcher.style, {
    position: "fixed", right: "20px", bottom: "20px", zIndex: "2147483000",
    padding: "12px 18px", border: "0", borderRadius: "24px", cursor: "pointer",
    background: "#1d4ed8", color: "#fff", font: "600 15px system-ui, sans-serif",
    boxShadow: "0 4px 14px rgba(0,0,0,.25)",
  });

  const frame = document.createElement("iframe");
  frame.id = "casebot-frame";
  frame.title = title;
  frame.src = chatUrl.href;
  frame.hidden = true;
  Object.assign(frame.style, {
    position: "fixed", right: "20px", bottom: "76px", zIndex: "2147483000",
    width: "min(400px, calc(100vw - 40px))", height: "min(600px, calc(100vh - 100px))",
    border: "1px solid #d1d5db", borderRadius: "12px", background: "#fff",
    boxShadow: "0 8px 30px rgba(0,0,0,.25)",
  });

  function sendIdentity() {
    const token = identityToken();
    if (token && frame.contentWindow) {
      frame.contentWindow.postMessage({ type: "casebot:identity", token }, chatUrl.origin);
    }
  }
  frame.addEventListener("load", sendIdentity);

  launcher.addEventListener("click", () => {
    frame.hidden = !frame.hidden;
    launcher.setAttribute("aria-expanded", String(!frame.hidden));
    if (!frame.hidden) sendIdentity();
  });

  document.body.append(frame, launcher);
})();

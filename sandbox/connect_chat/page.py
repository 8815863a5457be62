"""The agent page, ``/connect/agent``: waiting and active chats, one chat's transcript, a reply box.

Rendered on the server, so plain forms work without script: accept, reply and end post to
``/connect/agent/chats/<id>/...`` and come back to the page (303). A little script then keeps the
page live: it polls the agent API for new items and the lists, sends replies without a reload
and tells the customer the agent is typing. Everything a customer wrote is escaped (server) or
set as text (script).
"""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse

from sandbox.connect_chat import protocol
from sandbox.connect_chat.agent import PREFIX, AgentDesk, DeskError, summary
from sandbox.connect_chat.records import Chat, Item
from sandbox.connect_chat.store import ACTIVE, WAITING

PAGE = "/connect/agent"
#: a form this page posts is a few kilobytes at most; a bigger body is refused unread
MAX_FORM_BYTES = 64 * 1024

_STYLE = """
body{font:15px system-ui,sans-serif;margin:0;display:flex;min-height:100vh}
nav{width:18rem;border-right:1px solid #ccc;padding:1rem;background:#f6f6f6}
main{flex:1;padding:1rem;display:flex;flex-direction:column}
nav li{margin:.3rem 0} #transcript{flex:1;list-style:none;padding:0;overflow:auto}
#transcript li{margin:.3rem 0} .CUSTOMER{color:#064} .AGENT{color:#036} .SYSTEM{color:#777}
.event{font-style:italic;color:#777} #typing{height:1.2rem;color:#777}
form.inline{display:inline} textarea{width:100%;box-sizing:border-box}
"""

_SCRIPT = """
const page = document.body.dataset;
const api = page.api, contact = page.contact;
let after = Number(page.after || 0), typingSent = 0;
function show(item) {
  const list = document.getElementById('transcript');
  if (item.ContentType === page.typingType) {
    if (item.ParticipantRole === 'CUSTOMER') {
      document.getElementById('typing').textContent = item.DisplayName + ' is typing...';
      setTimeout(() => { document.getElementById('typing').textContent = ''; }, 3000);
    }
    return;
  }
  const li = document.createElement('li');
  li.className = item.ParticipantRole + (item.Type === 'EVENT' ? ' event' : '');
  const text = item.Type === 'EVENT' ? item.ContentType.split('.').slice(-2).join(' ')
    : item.Type === 'ATTACHMENT' ? '[file] ' + item.Attachments[0].AttachmentName
    : item.Content;
  li.textContent = item.DisplayName + ': ' + text;
  list.appendChild(li);
  list.scrollTop = list.scrollHeight;
}
async function poll() {
  if (contact) {
    const res = await fetch(`${api}/chats/${contact}?after=${after}`);
    if (res.ok) {
      const body = await res.json();
      for (const item of body.items) { show(item); after = item.seq; }
      document.getElementById('state').textContent = body.chat.state;
    }
  }
  for (const state of ['WAITING', 'ACTIVE']) {
    const res = await fetch(`${api}/chats?state=${state}`);
    if (!res.ok) continue;
    const ul = document.getElementById(state.toLowerCase());
    ul.replaceChildren(...(await res.json()).chats.map((chat) => {
      const li = document.createElement('li'), a = document.createElement('a');
      a.href = '?chat=' + encodeURIComponent(chat.contactId);
      a.textContent = chat.customer + ' (' + chat.createdTime.slice(11, 19) + ')';
      li.appendChild(a);
      return li;
    }));
  }
}
const form = document.getElementById('reply');
if (form) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const box = form.elements.content;
    if (!box.value) return;
    const res = await fetch(`${api}/chats/${contact}/messages`, {method: 'POST',
      headers: {'content-type': 'application/json'}, body: JSON.stringify({content: box.value})});
    if (res.ok) { box.value = ''; poll(); }
  });
  form.elements.content.addEventListener('input', () => {
    if (Date.now() - typingSent > 3000) {
      typingSent = Date.now();
      fetch(`${api}/chats/${contact}/typing`, {method: 'POST'});
    }
  });
}
setInterval(poll, 1000);
"""


def page_router(desk: AgentDesk) -> APIRouter:
    """The page and the form posts it makes."""
    router = APIRouter()

    @router.get(PAGE, response_class=HTMLResponse)
    def agent_page(chat: str | None = None) -> HTMLResponse:
        chosen = desk.store.chat(chat) if chat else None
        items = desk.store.items_after(chosen.contact_id, 0, limit=1000) if chosen else []
        return HTMLResponse(_render(desk, chosen, items))

    @router.post(PAGE + "/chats/{contact_id}/{action}")
    async def form_post(contact_id: str, action: str, request: Request) -> RedirectResponse:
        form = await _form(request)
        try:
            if action == "accept":
                await run_in_threadpool(desk.accept, contact_id, form.get("name") or "Agent")
            elif action == "reply":
                await run_in_threadpool(desk.send, contact_id, form.get("content", ""))
            elif action == "end":
                await run_in_threadpool(desk.end, contact_id)
            else:
                raise HTTPException(404, "No such action")
        except DeskError as exc:
            raise HTTPException(exc.status, exc.message) from exc
        return RedirectResponse(f"{PAGE}?chat={quote(contact_id)}", status_code=303)

    return router


async def _form(request: Request) -> dict[str, str]:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        raise HTTPException(413, "The form is too large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise HTTPException(413, "The form is too large")
    fields = parse_qs(bytes(body).decode("utf-8", errors="replace"), max_num_fields=10)
    return {name: values[0] for name, values in fields.items()}


def _render(desk: AgentDesk, chosen: Chat | None, items: list[Item]) -> str:
    waiting = _chat_list(desk, desk.store.chats(WAITING))
    active = _chat_list(desk, desk.store.chats(ACTIVE))
    main = _chat_view(desk, chosen, items) if chosen else "<p>Choose a chat on the left.</p>"
    data = (
        f'data-api="{PREFIX}" data-contact="{escape(chosen.contact_id if chosen else "")}" '
        f'data-after="{items[-1].seq if items else 0}" data-typing-type="{protocol.TYPING}"'
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<title>Agent desk (sandbox)</title>"
        f"<style>{_STYLE}</style></head><body {data}>"
        "<nav><h2>Waiting</h2>"
        f'<ul id="waiting">{waiting}</ul>'
        f'<h2>Active</h2><ul id="active">{active}</ul></nav>'
        f"<main>{main}</main>"
        f"<script>{_SCRIPT}</script></body></html>"
    )


def _chat_list(desk: AgentDesk, chats: list[Chat]) -> str:
    rows = []
    for chat in chats:
        customer = _customer(desk, chat)
        rows.append(
            f'<li><a href="?chat={escape(quote(chat.contact_id))}">{escape(customer)}'
            f" ({escape(chat.created_time[11:19])})</a></li>"
        )
    return "".join(rows)


def _chat_view(desk: AgentDesk, chat: Chat, items: list[Item]) -> str:
    action = f"{PAGE}/chats/{escape(quote(chat.contact_id))}"
    attributes = "".join(
        f"<dt>{escape(key)}</dt><dd>{escape(value)}</dd>"
        for key, value in sorted(chat.attributes.items())
    )
    if chat.state == WAITING:
        controls = (
            f'<form class=inline method=post action="{action}/accept">'
            '<input name=name value="Agent" aria-label="Your name">'
            "<button>Accept chat</button></form>"
        )
    elif chat.state == ACTIVE:
        controls = (
            f'<form id=reply method=post action="{action}/reply">'
            '<textarea name=content rows=3 aria-label="Reply"></textarea>'
            "<button>Send</button></form>"
            f'<form class=inline method=post action="{action}/end"><button>End chat</button></form>'
        )
    else:
        controls = "<p>The chat has ended.</p>"
    lines = "".join(_line(item) for item in items if item.content_type != protocol.TYPING)
    return (
        f"<h1>{escape(_customer(desk, chat))} <small id=state>{escape(chat.state)}</small></h1>"
        f"<dl>{attributes}</dl>"
        f'<ul id="transcript">{lines}</ul><div id="typing"></div>{controls}'
    )


def _line(item: Item) -> str:
    name, role = escape(item.display_name), escape(item.role)
    if item.type == "EVENT":
        text = escape(" ".join(item.content_type.split(".")[-2:]))
        return f'<li class="{role} event">{name}: {text}</li>'
    if item.attachments:
        files = ", ".join(escape(file["AttachmentName"]) for file in item.attachments)
        return f'<li class="{role}">{name}: [file] {files}</li>'
    return f'<li class="{role}">{name}: {escape(item.content or "")}</li>'


def _customer(desk: AgentDesk, chat: Chat) -> str:
    return str(summary(desk, chat)["customer"])

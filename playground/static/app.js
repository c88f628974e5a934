// The playground page: a client of each emulator's user-side API, proxied
// under /emu/{platform}/. No framework, no build step.
"use strict";

let scene = null;
let me = null; // {platform, panel, persona}
const panels = []; // one per app window

// el builds an element: el("div", {class: "x"}, child, "text"...).
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const k of kids) if (k !== null && k !== undefined) e.append(k);
  return e;
}

async function api(platform, path, body) {
  const opts = body === undefined ? {} :
    {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)};
  const r = await fetch(`/emu/${platform}/${path}`, opts);
  const j = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(j.error || r.statusText);
  return j;
}

function status(text) { document.getElementById("status").textContent = text; }

// shown is text as the platform's app shows it: Slack's &, < and >
// unescaped, mentions of the bot (<@ID> on Discord) by name.
function shown(p, text) {
  for (const [typed, wire] of Object.entries(p.mentions || {})) text = text.replaceAll(wire, typed);
  if (p.platform !== "slack") return text;
  return text.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}

// rich turns the platform's bold markup (Slack *b*, Discord **b**) into
// <b> elements; everything else stays text.
function rich(platform, text) {
  const frag = document.createDocumentFragment();
  const re = platform === "discord" ? /\*\*([^*\n]+)\*\*/g : platform === "slack" ? /\*([^*\n]+)\*/g : null;
  let at = 0;
  for (const m of re ? text.matchAll(re) : []) {
    frag.append(text.slice(at, m.index), el("b", {}, m[1]));
    at = m.index + m[0].length;
  }
  frag.append(text.slice(at));
  return frag;
}

function initials(name) {
  return name.split(/\s+/).filter(Boolean).slice(0, 2).map(w => w[0].toUpperCase()).join("");
}

// avatar shows initials; the picture's address, which the page does not
// load (nothing leaves this machine), is the tooltip.
function avatar(person) {
  return el("div", {class: "avatar", title: person.avatar ? "avatar: " + person.avatar : person.name}, initials(person.name));
}

function renderMessage(p, m) {
  const mine = me && me.platform === p.platform && m.author.id === me.persona.id;
  const body = el("div", {class: "body"},
    el("div", {class: "meta"}, el("span", {class: "author"}, m.author.name),
      m.author.bot ? el("span", {class: "badge"}, p.platform === "telegram" ? "bot" : "APP") : null,
      m.edited ? el("span", {class: "edited"}, " (edited)") : null));
  if (m.text) body.append(el("div", {class: "text"}, rich(p.platform, shown(p, m.text))));
  if (m.card && m.card.length) body.append(el("div", {class: "card"}, rich(p.platform, m.card.map(l => shown(p, l)).join("\n"))));
  if (m.buttons && m.buttons.length) {
    const box = el("div", {class: "buttons"});
    for (const row of m.buttons) {
      const r = el("div", {class: "row"});
      for (const b of row) {
        if (b.url && /^https?:\/\//i.test(b.url)) r.append(el("a", {href: b.url, target: "_blank", rel: "noopener noreferrer"}, b.text + " ↗"));
        else if (b.url) r.append(el("span", {class: "link"}, `${b.text} (${b.url})`));
        else r.append(el("button", {type: "button", onclick: () => press(p, m, b)}, b.text));
      }
      box.append(r);
    }
    body.append(box);
  }
  return el("div", {class: "msg" + (m.author.bot ? " bot" : "") + (mine ? " mine" : ""), "data-id": m.id},
    avatar(m.author), body);
}

function threadBlock(p, id, name) {
  const t = el("div", {class: "thread" + (p.thread === id ? " target" : ""), "data-thread": id},
    el("div", {class: "title"}, el("span", {}, "🧵 " + (name || "thread")),
      el("button", {type: "button", class: "reply", onclick: () => target(p, id, name)}, "Reply in thread")),
    el("div", {class: "replies"}));
  return t;
}

// render draws a chat's messages, threads and topics nested under the
// message that started them (or where their first message falls).
function render(p) {
  const v = p.view;
  const list = p.list;
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.textContent = "";
  const names = new Map((v.threads || []).map(t => [t.id, t.name]));
  if (p.thread && names.has(p.thread) && names.get(p.thread) !== p.threadName) { // a topic renamed
    p.threadName = names.get(p.thread);
    drawTarget(p);
  }
  const blocks = new Map();
  for (const m of v.messages) {
    if (m.deleted) continue;
    if (!m.thread) { list.append(renderMessage(p, m)); continue; }
    let b = blocks.get(m.thread);
    if (!b) {
      b = threadBlock(p, m.thread, names.get(m.thread));
      blocks.set(m.thread, b);
      const root = [...list.querySelectorAll(":scope > .msg")].find(e => e.dataset.id === m.thread);
      if (root) root.after(b); else list.append(b);
    }
    b.querySelector(".replies").append(renderMessage(p, m));
  }
  for (const t of v.threads || []) { // topics with nothing in them yet
    if (!blocks.has(t.id)) list.append(threadBlock(p, t.id, t.name));
  }
  if (atBottom || !p.drawn) list.scrollTop = list.scrollHeight;
  p.drawn = true;
}

async function refresh(p) {
  const chat = p.chat.value;
  const seq = ++p.seq;
  try {
    const v = await api(p.platform, `chats/${encodeURIComponent(chat)}/messages`);
    if (seq !== p.seq) return; // a newer refresh is under way
    const raw = JSON.stringify(v);
    if (raw === p.raw) return; // nothing new: keep the nodes (and a click under way)
    p.raw = raw;
    p.view = v;
    render(p);
  } catch (e) {
    p.error.textContent = e.message;
  }
}

function target(p, id, name) {
  p.thread = id;
  p.threadName = name || "thread";
  drawTarget(p);
  if (p.view) render(p);
  p.input.focus();
}

function drawTarget(p) {
  p.target.textContent = "";
  if (!p.thread) return;
  p.target.append("↳ in thread “" + p.threadName + "” ",
    el("button", {type: "button", onclick: () => { p.thread = ""; drawTarget(p); render(p); }}, "×"));
}

function mayAct(p) {
  if (me && me.platform === p.platform && me.panel === p.index) return true;
  p.error.textContent = "Pick someone on this side in “You are” first.";
  return false;
}

async function press(p, m, b) {
  if (!mayAct(p)) return;
  try {
    const r = await api(p.platform, `chats/${encodeURIComponent(p.chat.value)}/messages/${encodeURIComponent(m.id)}/press`,
      {user: me.persona.id, id: b.id, value: b.value || ""});
    p.error.textContent = "";
    status(`${me.persona.name} pressed “${b.text}”`);
    p.pending = {id: r.id, who: me.persona.name, label: b.text};
    answered(p);
  } catch (e) {
    p.error.textContent = e.message;
  }
}

// answered shows the bot's answer to the panel's last press (a Telegram
// callback notice, a Discord ephemeral reply) once there is one.
async function answered(p) {
  const pending = p.pending;
  if (!pending) return;
  try {
    const a = await api(p.platform, `presses/${encodeURIComponent(pending.id)}`);
    if (!a.answered || p.pending !== pending) return;
    p.pending = null;
    status(a.text ? `cornershop to ${pending.who}: “${a.text}”` : `cornershop took ${pending.who}'s “${pending.label}”`);
  } catch (e) {
    p.pending = null;
  }
}

async function send(p, ev) {
  ev.preventDefault();
  let text = p.input.value;
  if (!text.trim() || !mayAct(p)) return;
  for (const [typed, wire] of Object.entries(p.mentions || {})) text = text.replaceAll(typed, wire);
  try {
    await api(p.platform, `chats/${encodeURIComponent(p.chat.value)}/messages`,
      {user: me.persona.id, thread: p.thread || "", text});
    p.input.value = "";
    p.error.textContent = "";
  } catch (e) {
    p.error.textContent = e.message;
  }
}

function drawComposers() {
  for (const p of panels) {
    const active = me && me.platform === p.platform && me.panel === p.index;
    p.el.classList.toggle("active", !!active);
    p.input.disabled = !active;
    p.input.placeholder = active ? `Write as ${me.persona.name}…` : "Pick someone on this side in “You are” to write here";
    if (p.view) render(p);
  }
}

function become(value) {
  const [pi, ni, si] = value.split(":").map(Number);
  const pl = scene.platforms[pi];
  const panel = pl.panels[ni];
  me = {platform: pl.id, panel: ni, persona: panel.personas[si]};
  const p = panels.find(x => x.platform === pl.id && x.index === ni);
  const own = panel.chats.find(c => c.persona === me.persona.id);
  if (own && p.chat.value !== own.id) { p.chat.value = own.id; p.thread = ""; drawTarget(p); refresh(p); }
  drawComposers();
  status(`You are ${me.persona.name} (${pl.name}, ${panel.side === "desk" ? "staff" : "customer"})`);
}

function buildPanel(pl, panel, index) {
  const chat = el("select", {class: "chat", "aria-label": "chat"});
  for (const c of panel.chats) chat.append(el("option", {value: c.id}, c.title));
  const input = el("input", {name: "text", autocomplete: "off", disabled: ""});
  const p = {platform: pl.id, index, side: panel.side, mentions: pl.mentions, chat, input, thread: "", seq: 0,
    list: el("div", {class: "messages"}), target: el("div", {class: "target"}), error: el("div", {class: "error"})};
  const form = el("form", {class: "composer"}, p.target, el("div", {class: "line"}, input, el("button", {type: "submit"}, "Send")), p.error);
  form.addEventListener("submit", ev => send(p, ev));
  chat.addEventListener("change", () => { p.thread = ""; p.drawn = false; drawTarget(p); refresh(p); });
  p.el = el("section", {class: `panel ${pl.id} ${panel.side}`, "data-platform": pl.id, "data-side": panel.side},
    el("header", {}, el("b", {}, pl.name), el("span", {class: "side"}, panel.title), chat), p.list, form);
  panels.push(p);
  return p.el;
}

function tourStep(step) {
  const pi = scene.platforms.findIndex(x => x.id === step.platform);
  const pl = scene.platforms[pi];
  let where = null;
  pl.panels.forEach((panel, ni) => panel.personas.forEach((x, si) => { if (x.id === step.persona) where = `${pi}:${ni}:${si}`; }));
  const who = document.getElementById("who");
  who.value = where;
  become(where);
  const p = panels.find(x => x.platform === pl.id && x.index === Number(where.split(":")[1]));
  if (p.chat.value !== step.chat) { p.chat.value = step.chat; p.thread = ""; drawTarget(p); }
  const go = () => {
    if (step.thread === "latest" && p.view) {
      const ts = [...p.list.querySelectorAll(".thread")];
      const last = ts[ts.length - 1];
      if (last) target(p, last.dataset.thread, last.querySelector(".title span").textContent.replace(/^🧵 /, ""));
    }
    p.input.value = step.say || "";
    p.input.focus();
  };
  refresh(p).then(go);
}

async function main() {
  scene = await (await fetch("/scene.json")).json();
  document.title = `${scene.team} — cornershop playground`;
  const who = document.getElementById("who");
  who.append(el("option", {value: "", disabled: "", selected: ""}, "— pick a customer or a staff member —"));
  const apps = document.getElementById("apps");
  scene.platforms.forEach((pl, pi) => {
    const col = el("div", {class: "platform"});
    pl.panels.forEach((panel, ni) => {
      const group = el("optgroup", {label: `${pl.name} — ${panel.title}`});
      panel.personas.forEach((x, si) => group.append(el("option", {value: `${pi}:${ni}:${si}`}, x.name)));
      who.append(group);
      col.append(buildPanel(pl, panel, ni));
    });
    apps.append(col);
    // Every change on an emulator redraws that platform's windows.
    const es = new EventSource(`/emu/${pl.id}/events`);
    es.addEventListener("change", () => panels.filter(p => p.platform === pl.id).forEach(p => { refresh(p); answered(p); }));
  });
  who.addEventListener("change", () => become(who.value));
  const tour = document.getElementById("tour");
  for (const step of scene.tour) {
    tour.append(el("li", {}, step.hint, el("button", {type: "button", onclick: () => tourStep(step)}, "Try it")));
  }
  drawComposers();
}

main().catch(e => status("The playground could not start: " + e.message));

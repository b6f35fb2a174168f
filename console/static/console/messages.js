// One conversation message (M of docs/console-api.md) as DOM: buyer, bot, agent or
// system; buttons and cards shown readably; photos as thumbnails that open large.
// The server renders the text (shop/transcript.py): a click is 点了「title」, a
// triggered event a grey note; buttons come with titles only, never payloads.

import { routes } from "./api.js";
import { byId, el, formatMoney, formatTime, isObject, productLine, str } from "./dom.js";
import { CARDS as CARD_NAMES, SPEAKERS } from "./labels.js";

function row(body, label, value) {
  if (value === undefined || value === null || value === "") return;
  const line = el("div", "card-row");
  line.appendChild(el("span", "card-label", label));
  line.appendChild(el("span", "card-value", value));
  body.appendChild(line);
}

function cardShell(kind, title) {
  const card = el("div", "card");
  card.appendChild(el("div", "card-kind", kind));
  if (title) card.appendChild(el("div", "card-title", title));
  return card;
}

function productCard(data) {
  const card = cardShell(CARD_NAMES.product_card, data.name);
  if (data.price !== undefined && data.price !== null) row(card, "价格", formatMoney(data.price));
  row(card, "尺码建议", data.fit_note);
  row(card, "链接", data.url);
  return card;
}

function orderCard(data) {
  const card = cardShell(CARD_NAMES.order_card, `订单 ${str(data.order_id)}`);
  row(card, "状态", data.status);
  const products = Array.isArray(data.products) ? data.products.map(productLine) : [];
  if (typeof data.products === "string") products.push(data.products);
  row(card, "商品", products.join("；"));
  row(card, "快递", data.courier);
  row(card, "运单号", data.tracking_number);
  if (Array.isArray(data.events) && data.events.length) {
    const list = el("ul", "card-events");
    data.events.filter(isObject).forEach((event) => {
      list.appendChild(el("li", "", `${str(event.time)} ${str(event.description)}`.trim()));
    });
    card.appendChild(list);
  }
  return card;
}

function returnCard(data) {
  const card = cardShell(CARD_NAMES.return_card, `退货单 ${str(data.return_id)}`);
  row(card, "状态", data.status);
  row(card, "下一步", data.next_step);
  return card;
}

function sizeTable(data) {
  const card = cardShell(CARD_NAMES.size_table, data.product);
  row(card, "推荐尺码", data.recommended);
  const rows = Array.isArray(data.rows) ? data.rows.filter(isObject) : [];
  if (rows.length) {
    row(card, "尺码/脚长", rows.map((r) => `${str(r.size)}: ${str(r.foot_length_mm)}mm`).join("  "));
  }
  return card;
}

const CARDS = {
  product_card: productCard,
  order_card: orderCard,
  return_card: returnCard,
  size_table: sizeTable,
};

// Any other custom payload: its scalar fields, one per line.
function genericCard(data) {
  const card = cardShell("卡片", data.type);
  Object.entries(data).forEach(([key, value]) => {
    if (key === "type" || isObject(value)) return;
    row(card, key, Array.isArray(value) ? value.map(productLine).join("；") : str(value));
  });
  return card;
}

function customCard(custom) {
  if (!isObject(custom)) return null;
  const type = str(custom.type);
  if (Object.prototype.hasOwnProperty.call(CARDS, type)) return CARDS[type](custom);
  return genericCard(custom);
}

function buttons(list) {
  const box = el("div", "msg-buttons");
  box.appendChild(el("span", "msg-buttons-label", "按钮："));
  list.forEach((b) => {
    const title = isObject(b) ? str(b.title) : "";
    if (title) box.appendChild(el("span", "msg-button", title));
  });
  return box;
}

export function photoThumb(id) {
  const link = el("button", "photo-thumb");
  link.type = "button";
  link.title = "点击查看大图";
  const img = el("img");
  img.alt = "买家照片";
  img.loading = "lazy";
  img.src = routes.photo(id);
  link.appendChild(img);
  link.addEventListener("click", () => openPhoto(id));
  return link;
}

export function openPhoto(id) {
  const dialog = byId("photo-dialog");
  byId("photo-large").src = routes.photo(id);
  if (!dialog.open) dialog.showModal();
}

export function initPhotoDialog() {
  const dialog = byId("photo-dialog");
  byId("photo-close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close(); // a click on the backdrop
  });
}

function whoOf(message) {
  const who = str(message.who);
  if (who === "bot" && message.agent_name) return "agent";
  return Object.prototype.hasOwnProperty.call(SPEAKERS, who) ? who : "system";
}

export function renderMessage(message) {
  const who = whoOf(message);
  const item = el("div", `msg msg-${who}`);
  if (who === "system") {
    item.appendChild(el("div", "msg-note", `${str(message.text)}  ${formatTime(message.time)}`));
    return item;
  }
  const head = el("div", "msg-head");
  const name = who === "agent" ? `客服 ${str(message.agent_name)}`.trim() : SPEAKERS[who];
  head.appendChild(el("span", "msg-who", name));
  head.appendChild(el("span", "msg-time", formatTime(message.time)));
  if (who === "buyer" && message.intent) {
    const confidence = Number(message.confidence);
    const score = Number.isFinite(confidence) ? ` ${confidence.toFixed(2)}` : "";
    const intent = el("span", "msg-intent", `${str(message.intent_label || message.intent)}${score}`);
    intent.title = `识别的意图：${str(message.intent)}`;
    head.appendChild(intent);
  }
  item.appendChild(head);
  const kind = str(message.kind);
  if (message.text) item.appendChild(el("div", `msg-bubble${kind ? ` msg-${kind}` : ""}`, message.text));
  if (message.photo_id) item.appendChild(photoThumb(message.photo_id));
  if (Array.isArray(message.buttons) && message.buttons.length) {
    item.appendChild(buttons(message.buttons));
  }
  const card = message.custom ? customCard(message.custom) : null;
  if (card) item.appendChild(card);
  return item;
}

// A stable key of a message, to tell which ones are already on screen.
export function messageKey(message) {
  return JSON.stringify([
    message.who,
    message.time,
    message.text,
    message.photo_id,
    message.agent_name,
    message.custom ? JSON.stringify(message.custom) : "",
  ]);
}


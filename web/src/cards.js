// Bot messages' custom payloads as cards (product, order, return, size table) and
// their quick-reply buttons. Pure functions of the message: no widget state.
import { el, isObject, safeUrl, str } from "./util.js";

function row(label, value) {
  const line = el("div", "scw-row");
  line.appendChild(el("span", "scw-row-label", label));
  line.appendChild(el("span", "scw-row-value", value));
  return line;
}

function formatPrice(price) {
  const n = typeof price === "number" ? price : Number(price);
  if (price !== "" && price !== null && Number.isFinite(n)) return "¥" + n.toFixed(2);
  return str(price);
}

function productLine(item) {
  if (!isObject(item)) return str(item);
  const parts = [str(item.name || item.product || item.product_name)];
  if (item.size !== undefined && item.size !== null) parts.push(str(item.size) + "码");
  if (item.color) parts.push(str(item.color));
  if (item.quantity !== undefined && item.quantity !== null) parts.push("×" + str(item.quantity));
  return parts.filter(Boolean).join(" ");
}

function cardShell(title) {
  const card = el("div", "scw-card");
  const body = el("div", "scw-card-body");
  if (title) body.appendChild(el("div", "scw-card-title", title));
  card.appendChild(body);
  return { card, body };
}

function productCard(data, server) {
  const { card, body } = cardShell(data.name);
  const img = safeUrl(data.image, server);
  if (img) {
    const image = el("img", "scw-card-img");
    image.alt = str(data.name);
    image.loading = "lazy";
    image.referrerPolicy = "no-referrer";
    image.src = img;
    card.insertBefore(image, body);
  }
  if (data.price !== undefined && data.price !== null) {
    body.appendChild(el("div", "scw-price", formatPrice(data.price)));
  }
  if (data.fit_note) body.appendChild(row("尺码建议", data.fit_note));
  const url = safeUrl(data.url, server);
  if (url) {
    const link = el("a", "scw-link", "查看商品 ›");
    link.href = url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    body.appendChild(link);
  }
  return card;
}

function orderCard(data) {
  const { card, body } = cardShell("订单 " + str(data.order_id));
  if (data.status) body.appendChild(el("span", "scw-status", data.status));
  const products = Array.isArray(data.products) ? data.products.map(productLine) : [];
  if (typeof data.products === "string") products.push(data.products);
  if (products.length) body.appendChild(row("商品", products.join("\n")));
  if (data.courier) body.appendChild(row("快递", data.courier));
  if (data.tracking_number) body.appendChild(row("运单号", data.tracking_number));
  if (Array.isArray(data.events) && data.events.length) {
    const list = el("ul", "scw-events");
    data.events.forEach((event) => {
      if (!isObject(event)) return;
      const item = el("li");
      if (event.time) item.appendChild(el("span", "scw-event-time", event.time));
      item.appendChild(el("span", "", event.description));
      list.appendChild(item);
    });
    body.appendChild(list);
  }
  return card;
}

function returnCard(data) {
  const { card, body } = cardShell("退货单 " + str(data.return_id));
  if (data.status) body.appendChild(el("span", "scw-status", data.status));
  if (data.next_step) body.appendChild(row("下一步", data.next_step));
  return card;
}

function sizeTable(data) {
  const { card, body } = cardShell(data.product ? str(data.product) + " 尺码表" : "尺码表");
  const hasRec = data.recommended !== undefined && data.recommended !== null && data.recommended !== "";
  if (hasRec) body.appendChild(row("推荐尺码", data.recommended));
  const table = el("table", "scw-table");
  const head = el("tr");
  head.appendChild(el("th", "", "尺码"));
  head.appendChild(el("th", "", "脚长 (mm)"));
  const thead = el("thead");
  thead.appendChild(head);
  table.appendChild(thead);
  const tbody = el("tbody");
  (Array.isArray(data.rows) ? data.rows : []).forEach((r) => {
    if (!isObject(r)) return;
    const tr = el("tr");
    if (hasRec && str(r.size) === str(data.recommended)) tr.className = "scw-recommended";
    tr.appendChild(el("td", "", r.size));
    tr.appendChild(el("td", "", r.foot_length_mm));
    tbody.appendChild(tr);
  });
  table.appendChild(tbody);
  body.appendChild(table);
  return card;
}

// custom payload type -> function(payload, server) returning the card's element
export const CARDS = {
  product_card: productCard,
  order_card: orderCard,
  return_card: returnCard,
  size_table: sizeTable,
};

// The custom payload of a bot message: the message itself ({"type": ...}) or
// its "custom" member (how some Rasa versions wrap it).
export function customPayload(msg) {
  if (typeof msg.type === "string") return msg;
  if (isObject(msg.custom) && typeof msg.custom.type === "string") return msg.custom;
  return null;
}

export function quickReplies(msg) {
  const list = Array.isArray(msg.quick_replies) ? msg.quick_replies : Array.isArray(msg.buttons) ? msg.buttons : [];
  return list.filter((b) => isObject(b) && (b.title || b.payload));
}

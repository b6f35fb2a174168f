// The side panel's "买家资料" tab: the buyer, their orders and returns, and photos.
// Phone numbers arrive masked from the API; everything is shown as text. Statuses and
// reasons show the server's display names (*_label); 买家说 is the buyer's own words.

import { photoThumb } from "./messages.js";
import { byId, clear, el, formatMoney, formatTime, isObject, productLine, str } from "./dom.js";

const yuan = (fen) => (fen === null || fen === undefined ? "" : formatMoney(Number(fen) / 100));

// A definition list of [label, value] rows; empty values are left out.
function fields(rows) {
  const list = el("dl", "fields");
  rows.forEach(([label, raw]) => {
    const text = str(raw);
    if (!text) return;
    list.appendChild(el("dt", "", label));
    list.appendChild(el("dd", "", text));
  });
  return list;
}

function box(title, status) {
  const node = el("div", "side-box");
  const head = el("div", "side-box-title", title);
  if (status) head.appendChild(el("span", "side-status", status));
  node.appendChild(head);
  return node;
}

function itemLine(item) {
  if (!isObject(item)) return str(item);
  const price = item.price_fen !== undefined && item.price_fen !== null ? yuan(item.price_fen) : "";
  return [productLine(item), price].filter(Boolean).join(" ");
}

function shipmentLines(shipments) {
  return (Array.isArray(shipments) ? shipments : []).filter(isObject).map((s) => {
    const scan = isObject(s.latest_event) ? s.latest_event : null;
    const parts = [`${str(s.courier)} ${str(s.tracking_number)}`.trim()];
    if (s.expected_on) parts.push(`预计 ${str(s.expected_on)} 送达`);
    if (scan) {
      parts.push(`最新：${formatTime(scan.time)} ${str(scan.location)} ${str(scan.description)}`);
    }
    return parts.join("\n");
  });
}

function orderBox(order) {
  const node = box(`订单 ${str(order.id)}`, str(order.status_label));
  const items = Array.isArray(order.items) ? order.items.map(itemLine) : [];
  node.appendChild(
    fields([
      ["商品", items.join("\n")],
      ["金额", yuan(order.total_fen)],
      ["下单", formatTime(order.created_at)],
      ["付款", formatTime(order.paid_at)],
      ["签收", formatTime(order.delivered_at)],
      ["物流", shipmentLines(order.shipments).join("\n")],
      ["运费险", order.freight_insurance ? "有" : ""],
      ["收件人", `${str(order.recipient_name)} ${str(order.recipient_phone)}`.trim()],
      ["地址", order.address],
    ]),
  );
  return node;
}

function returnBox(item) {
  const node = box(`${str(item.kind_label) || "退货"} ${str(item.id)}`, str(item.status_label));
  const exchange = [item.exchange_size, item.exchange_color].filter(Boolean).join(" ");
  node.appendChild(
    fields([
      ["订单", item.order_id],
      ["商品", isObject(item.item) ? productLine(item.item) : ""],
      ["原因", item.reason_label],
      ["换成", exchange],
      ["买家说", item.buyer_words],
      ["寄回单号", item.return_tracking_number],
      ["退款", yuan(item.refund_fen)],
      ["店铺备注", item.shop_note],
      ["申请", formatTime(item.created_at)],
      ["更新", formatTime(item.updated_at)],
    ]),
  );
  return node;
}

function section(panel, title, items, render, empty) {
  panel.appendChild(el("h3", "side-title", `${title}（${items.length}）`));
  if (!items.length) {
    panel.appendChild(el("p", "muted", empty));
    return;
  }
  items.forEach((item) => panel.appendChild(render(item)));
}

let shown = "";

// detail: the answer of GET /console/api/escalations/{id}, or null to clear.
export function renderSide(detail) {
  const panel = byId("panel-buyer");
  const key = detail
    ? JSON.stringify([detail.buyer, detail.orders, detail.returns, detail.photos])
    : "";
  if (key === shown) return;
  shown = key;
  clear(panel);
  if (!detail) {
    panel.appendChild(el("p", "muted", "打开一个会话后显示买家的订单和退货。"));
    return;
  }
  const buyer = isObject(detail.buyer) ? detail.buyer : null;
  panel.appendChild(el("h3", "side-title", "买家"));
  if (buyer) {
    const node = box(`${str(buyer.name)}（${str(buyer.id)}）`);
    node.appendChild(fields([["手机", buyer.phone]]));
    panel.appendChild(node);
  } else {
    panel.appendChild(el("p", "muted", "访客（未登录），无法关联订单"));
  }
  const orders = Array.isArray(detail.orders) ? detail.orders.filter(isObject) : [];
  const returns = Array.isArray(detail.returns) ? detail.returns.filter(isObject) : [];
  section(panel, "订单", orders, orderBox, "没有订单");
  section(panel, "退货/换货", returns, returnBox, "没有退货或换货申请");
  const photos = Array.isArray(detail.photos) ? detail.photos : [];
  const ids = photos.map((p) => (isObject(p) ? p.id || p.photo_id : p)).filter(Boolean);
  if (ids.length) {
    panel.appendChild(el("h3", "side-title", `买家照片（${ids.length}）`));
    const grid = el("div", "photo-grid");
    ids.forEach((id) => grid.appendChild(photoThumb(str(id))));
    panel.appendChild(grid);
  }
}

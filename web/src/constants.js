// Limits and texts the widget's modules share.

export const VERSION = "1.0.0";
export const MAX_ENTRIES = 100;
export const MISSED_WINDOW = 30; // replayed messages are compared with this many latest bot messages
export const TYPING_TIMEOUT_MS = 15000;
export const MAX_INPUT = 500;
export const SEND_GAP_MS = 1000; // at most one message a second: the server limits each socket
export const RATE_LIMIT_BACKOFF_MS = 10000;
export const MAX_PHOTO_BYTES = 5 * 1024 * 1024; // the server's limit too
export const PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"];
export const PHOTO_EXTENSIONS = /\.(jpe?g|png|webp)$/i;
export const NOTICE_MS = 8000;
// What the buyer reads for each upload error code of the server.
export const PHOTO_ERRORS = {
  too_large: "图片超过5MB，请换一张或压缩后再发",
  unsupported_type: "只能发送 JPG、PNG 或 WebP 格式的图片",
  not_an_image: "只能发送 JPG、PNG 或 WebP 格式的图片",
  empty: "图片文件已损坏，请重新选择",
  broken_image: "图片文件已损坏，请重新选择",
  too_many_pixels: "图片尺寸太大，请截图或压缩后再发",
  too_small: "图片太小看不清，请换一张",
  rate_limited: "图片发得太频繁了，请稍后再试",
  session: "会话已过期，请刷新页面后重新发送",
  lost: "页面刷新前图片还没发出，请重新选择",
  network: "网络异常，图片没有发出去",
};

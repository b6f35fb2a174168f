// Small helpers: safe DOM building, value checks, and how the Widget class is put
// together from the concern modules.

// An element with a class and text; text goes in as textContent, never as HTML.
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

export function str(value) {
  return value === undefined || value === null ? "" : String(value);
}

// An absolute http(s) URL, or null. Relative URLs resolve against the server.
export function safeUrl(value, base) {
  if (typeof value !== "string" || !value) return null;
  try {
    const url = new URL(value, base);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch (e) {
    return null;
  }
}

export function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

// Copies the methods (and getters) of each source object onto `target` (a class
// prototype). A name defined twice is a mistake in the sources, so it throws.
export function mixin(target, ...sources) {
  sources.forEach((source) => {
    const descriptors = Object.getOwnPropertyDescriptors(source);
    Object.keys(descriptors).forEach((name) => {
      if (Object.prototype.hasOwnProperty.call(target, name)) {
        throw new Error("ShopChat: " + name + " is defined twice");
      }
      descriptors[name].enumerable = false;
      Object.defineProperty(target, name, descriptors[name]);
    });
  });
  return target;
}

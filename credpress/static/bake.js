// Baked badge downloads (OB 3.0 §5.3 "Baked Badge"), assembled in the browser from the
// published badge image and the credential JSON, so the site stores no image per credential.
// The Python twin is credpress/vc/baking.py; both replace any credential already baked in.
const KEYWORD = "openbadgecredential";
const LEGACY_KEYWORD = "openbadges"; // OB 2.0: removed too, so an image never holds two credentials
const OB_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0";
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let crcTable;
/** CRC-32 (ISO 3309, as PNG §5.5 uses) of *bytes*. */
export function crc32(bytes) {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of bytes) crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function textKeyword(type, data) {
  // A text chunk's keyword: 1-79 Latin-1 bytes, then NUL (PNG §11.3.4).
  if (!["iTXt", "tEXt", "zTXt"].includes(type)) return null;
  const nul = data.subarray(0, 80).indexOf(0);
  return nul > 0 ? String.fromCharCode(...data.subarray(0, nul)) : null;
}

function chunk(type, data) {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** *png* (bytes) with *text* in one uncompressed iTXt chunk keyed openbadgecredential, before IEND
 *  (OB 3.0 §5.3.1); any credential already baked in is removed first. */
export function bakePng(png, text) {
  if (png.length < 8 || PNG_SIGNATURE.some((b, i) => png[i] !== b)) throw new Error("not a PNG image");
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  // keyword NUL | compression flag 0 | method 0 | language "" NUL | translated keyword "" NUL | UTF-8 text
  const head = new TextEncoder().encode(KEYWORD + "\0\0\0\0\0");
  const body = new TextEncoder().encode(text);
  const data = new Uint8Array(head.length + body.length);
  data.set(head);
  data.set(body, head.length);
  const parts = [png.subarray(0, 8)];
  for (let at = 8; ;) {
    if (at + 12 > png.length) throw new Error("the PNG image is cut short");
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const end = at + 12 + length;
    if (end > png.length) throw new Error("the PNG image is cut short");
    const keyword = textKeyword(type, png.subarray(at + 8, at + 8 + length));
    if (type === "IEND") {
      parts.push(chunk("iTXt", data), png.subarray(at, end));
      break;
    }
    if (keyword !== KEYWORD && keyword !== LEGACY_KEYWORD) parts.push(png.subarray(at, end));
    at = end;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** *svg* (text) with *text* in one <openbadges:credential> right after <svg>, in CDATA
 *  (OB 3.0 §5.3.2); any <openbadges:credential> already there is removed first. */
export function bakeSvg(svg, text) {
  const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
  const root = doc.documentElement;
  if (doc.querySelector("parsererror") || root.localName !== "svg") throw new Error("not an SVG image");
  for (const old of [...doc.getElementsByTagNameNS(OB_NAMESPACE, "credential")]) old.remove();
  root.setAttributeNS("http://www.w3.org/2000/xmlns/", "xmlns:openbadges", OB_NAMESPACE);
  const element = doc.createElementNS(OB_NAMESPACE, "openbadges:credential");
  // "]]>" cannot appear inside CDATA: split it across two sections (XML 1.0 §2.7).
  text.split("]]>").forEach((part, i, all) => {
    element.append(doc.createCDATASection((i ? ">" : "") + part + (i < all.length - 1 ? "]]" : "")));
  });
  root.insertBefore(element, root.firstChild);
  return new XMLSerializer().serializeToString(doc);
}

async function asPng(blob) {
  // JPEG art cannot be baked (OB 3.0 §5.3: PNG or SVG): redraw it as a PNG first.
  const bitmap = await createImageBitmap(blob);
  const canvas = document.createElement("canvas");
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  canvas.getContext("2d").drawImage(bitmap, 0, 0);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
}

async function fetchOk(href) {
  const response = await fetch(href);
  if (!response.ok) throw new Error(`${href}: HTTP ${response.status}`);
  return response;
}

/** The baked badge for a download button: its image and credential, fetched from this site. */
export async function bakedBlob(button) {
  const [image, credential] = await Promise.all([fetchOk(button.dataset.image), fetchOk(button.dataset.credential)]);
  const text = await credential.text();
  if (button.dataset.format === "svg") {
    return new Blob([bakeSvg(await image.text(), text)], { type: "image/svg+xml" });
  }
  let bytes = new Uint8Array(await image.arrayBuffer());
  if (PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) bytes = new Uint8Array(await (await asPng(new Blob([bytes]))).arrayBuffer());
  return new Blob([bakePng(bytes, text)], { type: "image/png" });
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-action='download-baked']");
  if (!button) return;
  button.disabled = true;
  try {
    const url = URL.createObjectURL(await bakedBlob(button));
    const link = Object.assign(document.createElement("a"), { href: url, download: button.dataset.filename });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (error) {
    button.textContent = "Badge image unavailable: download the JSON instead";
    console.error(error);
  } finally {
    button.disabled = false;
  }
});

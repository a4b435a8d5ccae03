// A lesson guide (Markdown) rendered in the page: markdown-it with raw HTML off, then DOMPurify,
// so nothing in a guide can run script.
import DOMPurify from "dompurify";
import MarkdownIt from "markdown-it";
import { enc, ApiError } from "../api.js";
import { h, replace } from "../dom.js";
import { guard, loading } from "../ui.js";

const md = new MarkdownIt({ html: false, linkify: true, typographer: false });

export function render({ params, setTitle }) {
  const path = params.path;
  setTitle("가이드 ", h("code.title-code", path));
  const article = h("article.markdown", { "data-testid": "guide" }, loading());
  guard("가이드를 불러오지 못했습니다", async () => {
    const res = await fetch(`/api/guides/${path.split("/").map(enc).join("/")}`);
    const text = await res.text();
    if (!res.ok) {
      let message = text;
      try { message = JSON.parse(text).error.message; } catch { /* plain text */ }
      throw new ApiError(res.status, `http_${res.status}`, message);
    }
    const clean = DOMPurify.sanitize(md.render(text), { USE_PROFILES: { html: true } });
    const tpl = document.createElement("template");
    tpl.innerHTML = clean; // sanitized markdown of the lab's own guide, never Kafka data
    rewriteLinks(tpl.content, path);
    rewriteImages(tpl.content, path);
    replace(article, tpl.content);
  });
  return { el: h("div.page", h("div.toolbar", h("a.btn.btn-small", { href: "#/lessons" }, "← 학습 진도")), h("section.card", article)) };
}

/** Charts in bench/reports/ and screenshots in docs/images/ come from the console's API; no
 * other image is fetched. */
const IMAGE_ROUTES = { "bench/reports/": "/api/reports/", "docs/images/": "/api/doc-images/" };
function rewriteImages(root, from) {
  for (const img of root.querySelectorAll("img")) {
    const target = resolve(from, img.getAttribute("src") ?? "");
    const prefix = Object.keys(IMAGE_ROUTES).find((p) => target.startsWith(p));
    const name = prefix ? target.slice(prefix.length) : "";
    if (/^[\w.-]+\.(svg|png)$/.test(name)) {
      img.setAttribute("src", `${IMAGE_ROUTES[prefix]}${name}`);
      img.setAttribute("data-testid", "guide-image");
    } else {
      img.removeAttribute("src");
    }
  }
}

/** `href` relative to the guide file `from`, as a path under the lab home. */
function resolve(from, href) {
  if (/^[a-z]+:/i.test(href) || href.startsWith("/")) return "";
  const parts = from.split("/").slice(0, -1);
  for (const seg of href.split("#")[0].split("/")) {
    if (seg === "..") parts.pop();
    else if (seg && seg !== ".") parts.push(seg);
  }
  return parts.join("/");
}

/** Links to other .md files open inside the console; everything else opens in a new tab. */
function rewriteLinks(root, from) {
  const dir = from.split("/").slice(0, -1);
  for (const a of root.querySelectorAll("a[href]")) {
    const href = a.getAttribute("href");
    if (/^[a-z]+:/i.test(href) || href.startsWith("#")) {
      if (!href.startsWith("#")) { a.target = "_blank"; a.rel = "noopener noreferrer"; }
      continue;
    }
    const [file, anchor] = href.split("#");
    const parts = [...dir];
    for (const seg of file.split("/")) {
      if (seg === "..") parts.pop();
      else if (seg && seg !== ".") parts.push(seg);
    }
    const target = parts.join("/");
    if (target.endsWith(".md")) a.setAttribute("href", `#/guides/${target}`);
    else a.removeAttribute("href");
    if (anchor && !target) a.setAttribute("href", `#${anchor}`);
  }
}

// Readout viewer: submit an article (or open a saved answer) and show its spans and items.
// Everything from the article or the answer is inserted as text nodes, never as markup.
"use strict";

(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const $ = (id) => document.getElementById(id);
  const state = { answer: null, text: "", byId: new Map(), selected: new Set() };

  // ---- offsets: the answer's unit (code points by default) to JavaScript's UTF-16 indices ----

  function unitIndex(text, unit) {
    const index = [0];
    let utf16 = 0;
    for (const ch of text) {
      utf16 += ch.length;
      if (unit === "utf16") {
        for (let i = 0; i < ch.length; i += 1) index.push(utf16);
      } else if (unit === "utf8") {
        const bytes = new TextEncoder().encode(ch).length;
        for (let i = 0; i < bytes; i += 1) index.push(utf16);
      } else {
        index.push(utf16);
      }
    }
    return index;
  }

  // ---- spans and their segmentation into non-overlapping pieces ----

  function itemSpans(answer) {
    const found = [];
    for (const actor of answer.actors || []) {
      for (const span of actor.mentions || []) found.push([span, actor.id, "actor"]);
    }
    for (const call of answer.calls || []) {
      for (const span of call.evidence || []) found.push([span, call.id, "call"]);
    }
    for (const claim of answer.claims || []) {
      for (const span of claim.evidence || []) found.push([span, claim.id, "claim"]);
      if (claim.quote_span) found.push([claim.quote_span, claim.id, "claim"]);
    }
    return found;
  }

  function distinctSpans(answer, index, text) {
    const spans = new Map();
    let outside = 0;
    let mismatched = 0;
    for (const [span, id, kind] of itemSpans(answer)) {
      const { start, end } = span;
      if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start || end >= index.length) {
        outside += 1;
        continue;
      }
      if (typeof span.text === "string" && text.slice(index[start], index[end]) !== span.text) {
        mismatched += 1;
      }
      const key = `${start}-${end}`;
      if (!spans.has(key)) spans.set(key, { start, end, key, ids: new Set(), kinds: new Set() });
      spans.get(key).ids.add(id);
      spans.get(key).kinds.add(kind);
    }
    return { spans: [...spans.values()], outside, mismatched };
  }

  function segment(spans) {
    const cuts = [...new Set(spans.flatMap((s) => [s.start, s.end]))].sort((a, b) => a - b);
    const pieces = [];
    for (let i = 0; i + 1 < cuts.length; i += 1) {
      const [start, end] = [cuts[i], cuts[i + 1]];
      const covering = spans.filter((s) => s.start <= start && s.end >= end);
      if (covering.length === 0) continue;
      pieces.push({
        start,
        end,
        ids: [...new Set(covering.flatMap((s) => [...s.ids]))].sort(byId),
        kinds: new Set(covering.flatMap((s) => [...s.kinds])),
        keys: covering.map((s) => s.key),
      });
    }
    return pieces;
  }

  function byId(a, b) {
    const order = { A: 0, C: 1, K: 2 };
    return (order[a[0]] ?? 3) - (order[b[0]] ?? 3) || Number(a.slice(1)) - Number(b.slice(1));
  }

  // ---- rendering ----

  function element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    for (const child of children) node.append(child);
    return node;
  }

  function renderArticle(text, pieces, index) {
    const article = $("article");
    article.replaceChildren();
    let at = 0;
    for (const piece of pieces) {
      const [from, to] = [index[piece.start], index[piece.end]];
      if (from > at) article.append(text.slice(at, from));
      const mark = element("mark", {
        "data-start": String(piece.start),
        "data-end": String(piece.end),
        "data-items": piece.ids.join(" "),
        "data-spans": piece.keys.join(" "),
        class: [...piece.kinds].sort().map((k) => `k-${k}`).join(" "),
        title: piece.ids.map(label).join("\n"),
      }, text.slice(from, to));
      article.append(mark);
      at = to;
    }
    if (at < text.length) article.append(text.slice(at));
  }

  function name(id) {
    const actor = state.byId.get(id);
    return actor && actor.name ? actor.name : id;
  }

  function label(id) {
    const item = state.byId.get(id);
    if (!item) return id;
    if (id[0] === "A") return `${id} ${item.name} (${item.kind})`;
    if (id[0] === "C") return `${id} call: ${(item.participants || []).map(name).join(", ")}`;
    return `${id} ${item.kind} by ${name(item.claimant)}`;
  }

  function itemButton(id, ...lines) {
    const button = element("button", { type: "button", "data-item": id, "aria-pressed": "false" });
    button.append(element("span", { class: "id" }, id), " ");
    lines.forEach((line, i) => button.append(i ? element("span", { class: "detail" }, line) : line));
    return element("li", {}, button);
  }

  function renderLists(answer) {
    const actors = answer.actors || [];
    const calls = answer.calls || [];
    const claims = answer.claims || [];
    $("actors").replaceChildren(...actors.map((a) => itemButton(
      a.id,
      a.name,
      [a.kind, a.role, a.affiliation, a.country].filter(Boolean).join(" · ") +
        ` · ${(a.mentions || []).length} mention(s)`,
    )));
    $("calls").replaceChildren(...calls.map((c) => itemButton(
      c.id,
      (c.participants || []).map(name).join(" – "),
      [c.date || c.date_text, c.medium, c.initiator ? `initiated by ${name(c.initiator)}` : ""]
        .filter(Boolean).join(" · "),
    )));
    $("claims").replaceChildren(...claims.map((k) => itemButton(
      k.id,
      `${name(k.claimant)}: ${k.statement}`,
      `${k.kind} · evidence ${String(k.evidence_status).replace("_", " ")}` +
        ((k.disputed_by || []).length ? ` · disputed by ${k.disputed_by.map(name).join(", ")}` : ""),
    )));
    const rejected = (answer.meta && answer.meta.rejected) || [];
    $("rejected").replaceChildren(...rejected.map((r) => element(
      "li", {}, element("span", { class: "id" }, `${r.kind} ${r.ref || ""}`), ` ${r.reason || ""}`,
    )));
    if (!rejected.length) $("rejected").append(element("li", { class: "none" }, "nothing"));
    for (const [list, items] of [["actors", actors], ["calls", calls], ["claims", claims], ["rejected", rejected]]) {
      $(`${list}-count`).textContent = `(${items.length})`;
    }
  }

  function renderGraph(answer) {
    const svg = $("graph");
    svg.replaceChildren();
    const calls = answer.calls || [];
    const ids = [...new Set(calls.flatMap((c) => c.participants || []))].filter((id) => state.byId.has(id));
    if (!ids.length) {
      svg.append(svgNode("text", { x: 210, y: 150, "text-anchor": "middle", class: "empty" }, "no calls"));
      return;
    }
    // Actors on an ellipse, the first at the top.
    const [rx, ry] = ids.length === 1 ? [0, 0] : [150, 100];
    const place = new Map(ids.map((id, i) => {
      const angle = (2 * Math.PI * i) / ids.length - Math.PI / 2;
      return [id, [210 + rx * Math.cos(angle), 145 + ry * Math.sin(angle)]];
    }));
    const defs = svgNode("defs", {});
    const marker = svgNode("marker", {
      id: "arrow", viewBox: "0 0 10 10", refX: "24", refY: "5",
      markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse",
    });
    marker.append(svgNode("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrowhead" }));
    defs.append(marker);
    svg.append(defs);
    const seen = new Map();
    for (const call of calls) {
      const members = (call.participants || []).filter((id) => place.has(id));
      const pairs = [];
      if (call.initiator && members.includes(call.initiator)) {
        for (const other of members) if (other !== call.initiator) pairs.push([call.initiator, other, true]);
      } else {
        members.forEach((a, i) => members.slice(i + 1).forEach((b) => pairs.push([a, b, false])));
      }
      for (const [from, to, directed] of pairs) {
        const pair = [from, to].sort().join("|");
        const nth = seen.get(pair) || 0;
        seen.set(pair, nth + 1);
        svg.append(edge(call.id, place.get(from), place.get(to), nth, directed));
      }
    }
    for (const id of ids) {
      const [x, y] = place.get(id);
      const actor = state.byId.get(id);
      const group = svgNode("g", { "data-item": id, class: `node kind-${actor.kind}`, tabindex: "0" });
      group.append(svgNode("title", {}, label(id)));
      group.append(svgNode("circle", { cx: x, cy: y, r: 16 }));
      group.append(svgNode("text", { x, y: y + 4, "text-anchor": "middle", class: "node-id" }, id));
      const short = actor.name.length > 20 ? `${actor.name.slice(0, 19)}…` : actor.name;
      group.append(svgNode("text", { x, y: y + 30, "text-anchor": "middle", class: "node-name" }, short));
      svg.append(group);
    }
  }

  function edge(id, [x1, y1], [x2, y2], nth, directed) {
    // Parallel calls between one pair bend apart so each stays clickable.
    const bend = nth === 0 ? 0 : (nth % 2 ? 1 : -1) * 22 * Math.ceil(nth / 2);
    const [dx, dy] = [x2 - x1, y2 - y1];
    const length = Math.hypot(dx, dy) || 1;
    const [cx, cy] = [(x1 + x2) / 2 - (dy / length) * bend, (y1 + y2) / 2 + (dx / length) * bend];
    const group = svgNode("g", { "data-item": id, class: "edge" });
    group.append(svgNode("title", {}, label(id)));
    const attributes = { d: `M ${x1} ${y1} Q ${cx} ${cy} ${x2} ${y2}` };
    if (directed) attributes["marker-end"] = "url(#arrow)";
    group.append(svgNode("path", attributes));
    group.append(svgNode("text", { x: cx, y: cy - 4, "text-anchor": "middle", class: "edge-id" }, id));
    return group;
  }

  function svgNode(tag, attributes, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function renderMeta(answer, warnings) {
    const meta = answer.meta || {};
    const usage = meta.usage || {};
    const parts = [
      `answered by ${meta.engine || "?"} (${meta.model || "?"})`,
      meta.latency_ms !== undefined ? `in ${meta.latency_ms} ms` : "",
      meta.attempts !== undefined ? `${meta.attempts} attempt(s)` : "",
      usage.total_tokens ? `${usage.prompt_tokens} + ${usage.completion_tokens} tokens` : "",
      meta.chunks > 1 ? `read in ${meta.chunks} parts` : "",
      meta.cached ? "from the cache" : "",
    ];
    $("meta").textContent = parts.filter(Boolean).join(" · ");
    const all = [...warnings, ...(meta.warnings || [])];
    $("warnings").replaceChildren(...all.map((w) => element("li", {}, w)));
  }

  // ---- selection ----

  function select(ids, scrollTo) {
    state.selected = new Set(ids);
    const chosen = (node) => node.dataset.items
      ? node.dataset.items.split(" ").some((id) => state.selected.has(id))
      : state.selected.has(node.dataset.item);
    let first = null;
    for (const mark of document.querySelectorAll("#article mark")) {
      const on = chosen(mark);
      mark.classList.toggle("selected", on);
      if (on && !first) first = mark;
    }
    let firstItem = null;
    for (const node of document.querySelectorAll(".items [data-item]")) {
      const on = chosen(node);
      node.classList.toggle("selected", on);
      if (node.tagName === "BUTTON") {
        node.setAttribute("aria-pressed", String(on));
        if (on && !firstItem) firstItem = node;
      }
    }
    const target = scrollTo === "text" ? first : firstItem;
    if (target) target.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  // ---- loading an answer ----

  function show(answer, text) {
    state.answer = answer;
    state.text = text;
    state.byId = new Map(
      [...(answer.actors || []), ...(answer.calls || []), ...(answer.claims || [])].map((i) => [i.id, i]),
    );
    const unit = (answer.meta && answer.meta.offset_unit) || "codepoint";
    const index = unitIndex(text, unit);
    const { spans, outside, mismatched } = distinctSpans(answer, index, text);
    const warnings = [];
    if (outside) warnings.push(`${outside} span(s) fall outside this text and are not shown.`);
    if (mismatched) {
      warnings.push(`${mismatched} span(s) do not match this text: is it the text the answer was made from?`);
    }
    renderArticle(text, segment(spans), index);
    renderLists(answer);
    renderGraph(answer);
    renderMeta(answer, warnings);
    const saved = answer.text === undefined ? { ...answer, text } : answer;
    const save = $("save");
    if (save.href.startsWith("blob:")) URL.revokeObjectURL(save.href);
    save.href = URL.createObjectURL(new Blob([JSON.stringify(saved, null, 2)], { type: "application/json" }));
    save.hidden = false;
    $("problem").hidden = true;
    $("result").hidden = false;
    state.selected = new Set();
    document.body.dataset.state = "done";
  }

  function showProblem(problem) {
    const box = $("problem");
    box.replaceChildren(element("strong", {}, problem.title || "Error"), ` ${problem.detail || ""}`);
    for (const error of problem.errors || []) {
      box.append(element("div", {}, `${error.field}: ${error.message}`));
    }
    box.hidden = false;
    document.body.dataset.state = "error";
  }

  async function submit(event) {
    event.preventDefault();
    // A page's HTML is sent as html; the answer then carries the extracted text it indexes.
    const body = { [$("kind").value === "html" ? "html" : "text"]: $("text").value };
    for (const field of ["title", "published_at", "engine"]) {
      if ($(field).value.trim()) body[field] = $(field).value.trim();
    }
    const headers = { "Content-Type": "application/json", Accept: "application/json" };
    if ($("key").value.trim()) headers.Authorization = `Bearer ${$("key").value.trim()}`;
    document.body.dataset.state = "loading";
    $("submit").disabled = true;
    try {
      const response = await fetch("v1/summaries", { method: "POST", headers, body: JSON.stringify(body) });
      const answer = await response.json();
      if (!response.ok) showProblem(answer);
      else show(answer, typeof answer.text === "string" ? answer.text : $("text").value);
    } catch (error) {
      showProblem({ title: "No answer", detail: String(error) });
    } finally {
      $("submit").disabled = false;
    }
  }

  async function open(event) {
    const file = event.target.files[0];
    if (!file) return;
    try {
      const answer = JSON.parse(await file.text());
      if (!Array.isArray(answer.actors)) {
        showProblem(answer.type ? answer : { title: "Not an answer", detail: "The file has no actors list." });
        return;
      }
      if (typeof answer.text === "string") {
        $("text").value = answer.text;
        $("kind").value = "text";
      }
      show(answer, $("text").value);
    } catch (error) {
      showProblem({ title: "Not JSON", detail: String(error) });
    } finally {
      event.target.value = "";
    }
  }

  function onItemClick(event) {
    const target = event.target.closest("[data-item]");
    if (target) select([target.dataset.item], "text");
  }

  function onMarkClick(event) {
    const mark = event.target.closest("mark");
    if (mark) select(mark.dataset.items.split(" "), "items");
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("form").addEventListener("submit", submit);
    $("open").addEventListener("change", open);
    $("article").addEventListener("click", onMarkClick);
    document.querySelector(".items").addEventListener("click", onItemClick);
    $("graph").addEventListener("keydown", (event) => {
      if (event.key === "Enter") onItemClick(event);
    });
    document.body.dataset.state = "ready";
  });
})();

// The ICP builder (pipelines/templates/builder.html): builds the ICP from the form by the rules of
// firmo.workspace.builder.from_form, asks POST /api/icp/preview on every change (debounced) and
// draws the counts; "Save…" asks the server for the YAML diff, then writes the file.
"use strict";
(function () {
  const form = document.getElementById("icp-form");
  const nameInput = document.getElementById("icp-name");
  let timer = null;
  let seq = 0;

  function setPath(obj, path, value) {
    const parts = path.split(".");
    let node = obj;
    for (const p of parts.slice(0, -1)) {
      if (typeof node[p] !== "object" || node[p] === null) node[p] = {};
      node = node[p];
    }
    node[parts[parts.length - 1]] = value;
  }
  function getPath(obj, path) {
    let node = obj;
    for (const p of path.split(".")) {
      if (typeof node !== "object" || node === null || !(p in node)) return undefined;
      node = node[p];
    }
    return node;
  }
  function number(text) {
    const n = Number(text);
    return text.trim() === "" || Number.isNaN(n) ? text : n;
  }

  // The ICP mapping the form says (empty control: no key, the default applies).
  function collect() {
    const rest = form.elements["rest"].value.trim();
    let data = {};
    if (rest) data = JSON.parse(rest); // SyntaxError: shown beside the field
    for (const el of form.querySelectorAll("[data-kind]")) {
      const kind = el.dataset.kind;
      if (kind === "json") continue;
      if (kind === "block") {
        if (el.checked && getPath(data, el.name) === undefined) setPath(data, el.name, {});
        continue;
      }
      const text = el.value.trim();
      if (!text) continue;
      if (kind === "number") setPath(data, el.name, number(text));
      else if (kind === "bool") setPath(data, el.name, text === "true");
      else if (kind === "list") setPath(data, el.name, text.split(/[,\n]/).map((v) => v.trim()).filter(Boolean));
      else if (kind === "roles")
        setPath(data, el.name, text.split("\n").map((v) => v.trim()).filter(Boolean).map((v) => {
          if (!v.includes("/")) return v;
          const [f, s] = v.split("/", 2);
          return { function: f.trim(), seniority: (s || "").trim() || "head" };
        }));
      else setPath(data, el.name, text);
    }
    if (!("criteria" in data)) data.criteria = {};
    return data;
  }

  function showErrors(errors) {
    for (const span of document.querySelectorAll("[data-err]")) span.textContent = "";
    const loose = [];
    for (const e of errors) {
      // the control of the field, or of its closest parent (criteria.near -> criteria.near.commune's block)
      let field = e.field;
      let span = null;
      while (field && !(span = document.querySelector(`[data-err="${CSS.escape(field)}"]`))) {
        const cut = field.lastIndexOf(".");
        if (cut < 0) break;
        field = field.slice(0, cut);
      }
      if (!span) span = [...document.querySelectorAll("[data-err]")].find((s) => s.dataset.err.startsWith(e.field + "."));
      if (span) span.textContent += (span.textContent ? "; " : "") + e.message;
      else loose.push(`${e.field}: ${e.message}`);
    }
    document.getElementById("errors").textContent = loose.join(" · ");
  }

  function bars(title, rows) {
    const top = rows.slice(0, 12);
    const max = Math.max(1, ...top.map((r) => r.count));
    const h = 18, w = 420, label = 200;
    const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
    let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${top.length * h + 24}" role="img" aria-label="${esc(title)}">`;
    svg += `<text x="0" y="14" font-weight="bold">${esc(title)}</text>`;
    top.forEach((r, i) => {
      const y = 22 + i * h, bw = Math.round(((w - label - 50) * r.count) / max);
      svg += `<text x="0" y="${y + 12}" font-size="12">${esc(String(r.value).slice(0, 30))}</text>`;
      svg += `<rect x="${label}" y="${y}" width="${bw}" height="${h - 4}" fill="#4a7ab0"></rect>`;
      svg += `<text x="${label + bw + 4}" y="${y + 12}" font-size="12">${r.count}</text>`;
    });
    return svg + "</svg>";
  }

  function render(data) {
    document.getElementById("count").textContent = String(data.total);
    const t = data.tiers;
    document.getElementById("tiers").textContent = `hot ${t.hot} · warm ${t.warm} · cold ${t.cold}`;
    document.getElementById("chart-region").innerHTML = bars("by région", data.by_region);
    document.getElementById("chart-naf").innerHTML = bars("by NAF division", data.by_naf_division);
    const body = document.querySelector("#top tbody");
    body.textContent = "";
    for (const lead of data.top) {
      const tr = document.createElement("tr");
      const cells = [lead.rank, lead.siren, lead.company_name, lead.region_name, lead.naf_code, lead.score, lead.tier];
      cells.forEach((v, i) => {
        const td = document.createElement("td");
        if (i === 1) {
          const a = document.createElement("a");
          a.href = `/companies/${v}`;
          a.textContent = v;
          td.appendChild(a);
        } else td.textContent = v == null ? "" : String(v);
        if (i === 6) td.className = `tier-${v}`;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    }
  }

  async function refresh() {
    const mine = ++seq;
    let data;
    try {
      data = collect();
    } catch (e) {
      showErrors([{ field: "rest", message: `not JSON: ${e.message}` }]);
      return;
    }
    const name = nameInput.value.trim() || "preview";
    const answer = await fetch(`/api/icp/preview?name=${encodeURIComponent(name)}`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(data),
    });
    const body = await answer.json();
    if (mine !== seq) return; // a later change already asked
    if (answer.status === 422) {
      showErrors(body.errors);
      document.getElementById("count").textContent = "—";
      return;
    }
    if (!answer.ok) {
      showErrors([{ field: "(server)", message: body.error || answer.statusText }]);
      return;
    }
    showErrors([]);
    render(body);
    document.body.dataset.previewed = String(seq);
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);

  // NAF search: type "boulang", click a hit to add it to the includes
  const search = document.getElementById("naf-search");
  const hits = document.getElementById("naf-hits");
  let searchTimer = null;
  let searchSeq = 0;
  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(async () => {
      const mine = ++searchSeq;
      const q = search.value.trim();
      if (!q) {
        hits.textContent = "";
        return;
      }
      const answer = await fetch(`/api/naf?q=${encodeURIComponent(q)}`);
      const results = (await answer.json()).results;
      if (mine !== searchSeq) return; // a later search already asked
      hits.textContent = "";
      for (const hit of results) {
        const li = document.createElement("li");
        const b = document.createElement("button");
        b.type = "button";
        b.className = "naf-hit";
        b.dataset.value = hit.value;
        b.textContent = `${hit.code} ${hit.label} (${hit.nomenclature === "naf2025" ? "NAF 2025" : "NAF rév. 2"}, ${hit.level})`;
        b.addEventListener("click", () => {
          const include = form.elements["criteria.naf.include"];
          const items = include.value.split(",").map((v) => v.trim()).filter(Boolean);
          if (!items.includes(hit.value)) items.push(hit.value);
          include.value = items.join(", ");
          later();
        });
        li.appendChild(b);
        hits.appendChild(li);
      }
    }, 200);
  });

  // Save: the diff first, then the write
  const dialog = document.getElementById("save-dialog");
  async function save(confirm) {
    const name = nameInput.value.trim();
    document.getElementById("save-error").textContent = "";
    let data;
    try {
      data = collect();
    } catch (e) {
      showErrors([{ field: "rest", message: `not JSON: ${e.message}` }]);
      return;
    }
    const answer = await fetch(`/api/icps/${encodeURIComponent(name || "_")}${confirm ? "?write=true" : ""}`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(data),
    });
    const body = await answer.json();
    if (answer.status === 422 && body.errors) {
      showErrors(body.errors);
      if (!dialog.open) dialog.showModal();
      document.getElementById("save-title").textContent = "Not saved: fix the fields marked in red.";
      document.getElementById("diff").textContent = "";
      document.getElementById("confirm").disabled = true;
      return;
    }
    if (!answer.ok) {
      if (!dialog.open) dialog.showModal();
      document.getElementById("save-error").textContent = body.error || answer.statusText;
      return;
    }
    if (confirm) {
      window.location.href = `/icp/${name}?saved=1`;
      return;
    }
    document.getElementById("save-title").textContent = body.changed
      ? `icps/${body.file}: the changes` : `icps/${body.file}: no change`;
    document.getElementById("diff").textContent = body.diff;
    document.getElementById("confirm").disabled = !body.changed;
    if (!dialog.open) dialog.showModal();
  }
  document.getElementById("save").addEventListener("click", () => save(false));
  document.getElementById("confirm").addEventListener("click", () => save(true));
  document.getElementById("cancel").addEventListener("click", () => dialog.close());

  // Delete: asked first; the server moves the file to icps/.deleted/, from where it can be restored
  const del = document.getElementById("delete");
  if (del) {
    del.addEventListener("click", async () => {
      const name = del.dataset.name;
      if (!window.confirm(`Delete icps/${name}.yaml? It is moved to icps/.deleted/ and its lead list stops being built.`)) return;
      const answer = await fetch(`/api/icps/${encodeURIComponent(name)}`, {
        method: "DELETE", headers: { "Content-Type": "application/json" }, body: "{}",
      });
      const body = await answer.json();
      if (!answer.ok) {
        showErrors([{ field: "name", message: body.error || (body.errors && body.errors[0].message) || answer.statusText }]);
        return;
      }
      window.location.href = "/";
    });
  }

  refresh();
})();

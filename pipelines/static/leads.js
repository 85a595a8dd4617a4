// The lead explorer's export (pipelines/templates/leads.html): POST /api/leads/{icp}/export as
// JSON (the incremental export of `firmo export`), then what was written.
"use strict";
(function () {
  const box = document.getElementById("export");
  const out = document.getElementById("export-result");
  document.getElementById("export-button").addEventListener("click", async () => {
    out.className = "";
    out.textContent = "…";
    const crm = document.getElementById("export-crm").value;
    const full = document.getElementById("export-full").checked;
    const answer = await fetch(`/api/leads/${box.dataset.icp}/export`, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ crm: crm ? [crm] : [], full }),
    });
    const body = await answer.json();
    if (!answer.ok) {
      out.className = "error";
      out.textContent = body.error;
      return;
    }
    const parts = Object.keys(body.exported).map(
      (c) => `${c}: ${body.exported[c]} exported, ${body.unchanged[c]} unchanged${body.files[c].length ? " → " + body.files[c].join(", ") : ""}`);
    const n = body.not_exported;
    parts.push(`not exported: ${n.suppressed} suppressed, ${n.customers} customers, ${n.rejected} rejected`);
    out.textContent = parts.join(" · ");
  });
})();

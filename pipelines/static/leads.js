// The lead explorer's export (pipelines/templates/leads.html): POST /api/leads/{icp}/export as
// JSON (the incremental export of `firmo export`), then what was written; and the CRM API push
// (POST /api/leads/{icp}/push, `firmo export --push <crm>`): a dry run first, then the push.
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

  const push = document.getElementById("push-button");
  if (!push) return;  // no CRM API configured
  const pushOut = document.getElementById("push-result");
  const planned = document.getElementById("push-planned");
  const pushCrm = document.getElementById("push-crm");
  pushCrm.addEventListener("change", () => { push.disabled = true; planned.hidden = true; });
  async function send(dryRun) {
    pushOut.className = "";
    pushOut.textContent = "…";
    const full = document.getElementById("export-full").checked;
    const answer = await fetch(`/api/leads/${box.dataset.icp}/push`, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ crm: pushCrm.value, dry_run: dryRun, full }),
    });
    const body = await answer.json();
    if (!answer.ok) {
      pushOut.className = "error";
      pushOut.textContent = body.error;
      return;
    }
    const left = `${body.skipped_unchanged} unchanged, ${body.suppressed} suppressed, ${body.customers} customers`;
    if (dryRun) {
      pushOut.textContent = `${body.crm}, dry run: ${body.planned.length} changes · ${left}`;
      planned.textContent = body.planned.map((p) => `would ${p}`).join("\n");
      planned.hidden = body.planned.length === 0;
      push.disabled = false;  // pushed once its preview was read
      return;
    }
    const sent = {
      hubspot: (b) => `${b.companies} companies, ${b.contacts} contacts`,
      pipedrive: (b) => `${b.pushed} leads`,
      salesforce: (b) => `${b.accounts} accounts, ${b.persons} persons`,
    }[body.crm](body);
    pushOut.textContent = `${body.crm}: ${sent} pushed, ${body.failed} failed · ${left}`;
    planned.hidden = true;
    push.disabled = true;
  }
  document.getElementById("push-preview").addEventListener("click", () => send(true));
  push.addEventListener("click", () => send(false));
})();

// The lead page's actions (pipelines/templates/company.html): each button posts to
// POST /api/companies/{siren}/{action} as JSON and shows the answer beside the buttons.
"use strict";
(function () {
  const box = document.getElementById("actions");
  const out = document.getElementById("action-result");
  for (const button of box.querySelectorAll("button[data-action]")) {
    button.addEventListener("click", async () => {
      if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
      out.textContent = "…";
      const answer = await fetch(`/api/companies/${box.dataset.siren}/${button.dataset.action}`, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: "{}",
      });
      const body = await answer.json();
      out.className = answer.ok ? "" : "error";
      out.textContent = answer.ok ? body.message : body.error;
    });
  }
})();

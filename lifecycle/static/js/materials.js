// Progressive enhancement of the recruitment materials: a copy button for the ad's plain text and a
// print button for the guide. Without JavaScript the text is a readonly textarea and the browser prints.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const area = document.getElementById(button.dataset.copy);
    const status = document.querySelector(`[data-copy-status="${button.dataset.copy}"]`);
    if (!area) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(area.value);
      } catch (_error) {
        area.select();
        document.execCommand("copy");
      }
      if (status) status.textContent = button.dataset.copied;
    });
  }
  for (const button of document.querySelectorAll("button[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});

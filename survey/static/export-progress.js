// Live progress for an export job. Without JavaScript the page refreshes itself instead.
(function () {
  "use strict";
  var box = document.querySelector("[data-status-url]");
  if (!box) { return; }
  var bar = document.getElementById("job-progress");
  var status = document.getElementById("job-status");
  function poll() {
    fetch(box.getAttribute("data-status-url"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        bar.value = job.percent;
        if (job.status === "done" || job.status === "failed") { window.location.reload(); return; }
        status.textContent = job.done + " / " + job.total;
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  var refresh = document.querySelector('meta[http-equiv="refresh"]');
  if (refresh) { refresh.parentNode.removeChild(refresh); window.setTimeout(poll, 500); }
})();

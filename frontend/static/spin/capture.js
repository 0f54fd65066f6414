// Seller's capture page: poll each unfinished spin's status and update its progress in place.
// The "stitching has started" banner goes once no spin is stitching any more (done or failed).
(function () {
  function unfinished(job) {
    return job.dataset.status === "pending" || job.dataset.status === "processing";
  }
  function updateBanner() {
    var banner = document.querySelector(".message.spin-started");
    if (banner && !Array.prototype.some.call(document.querySelectorAll(".spin-job"), unfinished)) {
      banner.remove();
    }
  }
  function poll(job) {
    fetch(job.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (s) {
        job.dataset.status = s.status;
        job.querySelector(".spin-job-status").textContent = s.status_label;
        var bar = job.querySelector("progress");
        bar.value = s.progress;
        bar.hidden = s.status === "done" || s.status === "failed";
        job.querySelector(".spin-job-stage").textContent = s.status === "processing" ? s.stage : "";
        job.querySelector(".spin-job-error").textContent = s.failure_reason;
        job.querySelector(".spin-job-preview").hidden = s.status !== "done";
        if (unfinished(job)) setTimeout(poll, 1500, job);
        else updateBanner();
      })
      .catch(function () { setTimeout(poll, 5000, job); });
  }
  document.querySelectorAll(".spin-job").forEach(function (job) {
    if (unfinished(job)) poll(job);
  });
  updateBanner();
})();

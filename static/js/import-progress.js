// The import page while a confirmed import runs in the background: ask the status feed every two seconds and
// move the progress bar; once the import has finished, load the page again to show what it did. Without
// JavaScript the page's "Refresh" link does the same.
(function () {
  "use strict";
  var section = document.querySelector(".import-progress[data-status-url]");
  if (!section) {
    return;
  }
  var bar = section.querySelector("progress");
  var stage = section.querySelector(".import-stage");
  var percent = section.querySelector(".import-percent");

  function poll() {
    fetch(section.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (status) {
        if (status.finished) {
          window.location.reload();
          return;
        }
        bar.value = status.percent;
        bar.textContent = status.percent + "%";
        stage.textContent = status.stage;
        percent.textContent = status.percent;
        window.setTimeout(poll, 2000);
      })
      .catch(function () {
        window.setTimeout(poll, 10000);
      });
  }

  window.setTimeout(poll, 2000);
})();

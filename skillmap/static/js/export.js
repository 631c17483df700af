/* Full export page: follow the job while it runs, then reload to show the download links. */
(function () {
  var box = document.getElementById('export-status');
  var bar = document.getElementById('export-progress');
  var live = {queued: true, running: true};
  if (!box || !bar || !box.dataset.statusUrl || !live[box.dataset.state]) { return; }
  var url = box.dataset.statusUrl;
  function poll() {
    fetch(url, {credentials: 'same-origin'}).then(function (r) { return r.json(); }).then(function (s) {
      if (box.textContent !== s.message) { box.textContent = s.message; }
      bar.max = s.steps;
      bar.value = s.state === 'done' ? s.steps : (s.state === 'running' ? s.step : 0);
      if (live[s.state]) { setTimeout(poll, 1500); }
      else { window.location.reload(); }
    }).catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();

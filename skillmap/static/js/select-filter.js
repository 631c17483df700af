/* A search box that narrows the options of a <select multiple> (no inline handlers: CSP).
   Without script the box stays hidden and the list works as it is. Chosen options always
   stay visible, so narrowing never hides a choice already made. */
document.querySelectorAll('[data-filter-select]').forEach(function (box) {
  var select = document.getElementById(box.getAttribute('data-filter-select'));
  if (!select) { return; }
  box.classList.remove('d-none');
  box.addEventListener('input', function () {
    var words = box.value.trim().toLowerCase();
    select.querySelectorAll('option').forEach(function (option) {
      var match = !words || option.selected || option.text.toLowerCase().indexOf(words) !== -1;
      option.hidden = !match;
    });
    select.querySelectorAll('optgroup').forEach(function (group) {
      group.hidden = !Array.prototype.some.call(group.children, function (o) { return !o.hidden; });
    });
  });
});

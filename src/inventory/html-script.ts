/**
 * The inline script of the HTML report (html-page.ts), as text. Plain browser JS, no library, no network
 * unless the page is live. It reads the rows' data from `<script type="application/json" id="inventory-data">`
 * (an array: [host, method, path, count, errors, p50, p95, p99] per table row, in row order) and:
 * - sorts the table when a column head is clicked (numbers largest first, text A-Z in code-unit order;
 *   again: the other direction), by the data, not the text; equal values keep the report's order either way;
 * - filters rows by the text box, showing the count: a row is kept when its host, its method or its path, each on
 *   its own, contains the text typed (trimmed, case-insensitive), so `get /api` matches no row unless a path holds it;
 * - when `<body data-live="N">`: every N seconds fetches the page's own URL and, when its exchange count
 *   changed, swaps in the new `<main>` and keeps the sort and the filter. Nothing is fetched otherwise.
 */
export const PAGE_SCRIPT = `(function () {
  'use strict';
  var sortKey = null, sortDesc = false;
  var KEYS = { host: 0, method: 1, path: 2, count: 3, errors: 4, p50: 5, p95: 6, p99: 7 };
  var NUMERIC = ['count', 'errors', 'p50', 'p95', 'p99'];
  function data() { return JSON.parse(document.getElementById('inventory-data').textContent); }
  function rows() { return Array.prototype.slice.call(document.querySelectorAll('#endpoints tbody tr')); }
  function applySort() {
    if (sortKey === null) return;
    var d = data(), k = KEYS[sortKey], tbody = document.querySelector('#endpoints tbody');
    var list = rows();
    list.sort(function (a, b) {
      var x = d[+a.dataset.i][k], y = d[+b.dataset.i][k];
      if (x === null) x = -1;
      if (y === null) y = -1;
      var c = x < y ? -1 : x > y ? 1 : 0;
      return (sortDesc ? -c : c) || (+a.dataset.i) - (+b.dataset.i);
    });
    list.forEach(function (r) { tbody.appendChild(r); });
    document.querySelectorAll('#endpoints th').forEach(function (th) {
      th.setAttribute('aria-sort', th.dataset.key === sortKey ? (sortDesc ? 'descending' : 'ascending') : 'none');
    });
  }
  function applyFilter() {
    var box = document.getElementById('filter'), q = box.value.trim().toLowerCase(), d = data(), shown = 0;
    rows().forEach(function (r) {
      var e = d[+r.dataset.i];
      var hit = q === '' || [e[0], e[1], e[2]].some(function (v) { return String(v).toLowerCase().indexOf(q) >= 0; });
      r.hidden = !hit;
      if (hit) shown++;
    });
    document.getElementById('shown').textContent = String(shown);
  }
  function wire() {
    document.querySelectorAll('#endpoints th[data-key]').forEach(function (th) {
      th.addEventListener('click', function () {
        var key = th.dataset.key;
        sortDesc = key === sortKey ? !sortDesc : NUMERIC.indexOf(key) >= 0;
        sortKey = key;
        applySort();
      });
    });
    document.getElementById('filter').addEventListener('input', applyFilter);
    applySort();
    applyFilter();
  }
  function poll(seconds) {
    setTimeout(function () {
      fetch(location.href, { cache: 'no-store' }).then(function (res) { return res.text(); }).then(function (text) {
        var next = new DOMParser().parseFromString(text, 'text/html');
        var cur = document.querySelector('main'), fresh = next.querySelector('main');
        if (fresh && cur && fresh.dataset.exchanges !== cur.dataset.exchanges) {
          var q = document.getElementById('filter').value;
          cur.replaceWith(document.adoptNode(fresh));
          document.getElementById('filter').value = q;
          wire();
        }
      }).catch(function () {}).then(function () { poll(seconds); });
    }, seconds * 1000);
  }
  wire();
  var live = +document.body.dataset.live;
  if (live > 0) poll(live);
})();`;

// Talks to the test's BrowserHarness: steps (the test acts, then answers), logs, and the final report.
var H = (function () {
  var p = new URLSearchParams(location.search);
  var base = p.get('harness'), run = p.get('run');
  function post(kind, body, suffix) {
    return fetch(base + '/' + kind + '/' + run + (suffix ? '/' + suffix : ''), { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body || {}) })
      .then(function (r) { if (!r.ok) { throw new Error(kind + ' answered ' + r.status); } return r.text(); });
  }
  var errors = [];
  window.addEventListener('error', function (e) { errors.push(String(e.message)); });
  window.addEventListener('unhandledrejection', function (e) { errors.push('unhandled: ' + e.reason); });
  return {
    errors: errors,
    step: function (name) { return post('step', {}, name); },
    log: function (msg) { return post('log', String(msg)).catch(function () {}); },
    report: function (obj) { obj.errors = (obj.errors || []).concat(errors); obj.userAgent = navigator.userAgent; return post('report', obj); },
    waitFor: function (label, pred, ms) {
      ms = ms || 20000;
      return new Promise(function (resolve, reject) {
        var t0 = Date.now();
        (function poll() {
          var ok = false;
          try { ok = pred(); } catch (e) { return reject(e); }
          if (ok) { return resolve(); }
          if (Date.now() - t0 > ms) { return reject(new Error('timed out after ' + ms + ' ms waiting for ' + label)); }
          setTimeout(poll, 15);
        })();
      });
    },
    pause: function (ms) { return new Promise(function (r) { setTimeout(r, ms); }); },
    login: function (user) {
      return fetch('/api/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: user, password: user }) })
        .then(function (r) { if (!r.ok) { throw new Error('login answered ' + r.status); } return r.json(); })
        .then(function (j) { return j.accessToken; });
    }
  };
})();

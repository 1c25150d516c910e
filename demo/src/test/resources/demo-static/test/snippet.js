// The README's plain EventSource snippet (no helper), wrapped to collect what it shows.
async function plainSnippet(accessToken, count) {
  var seen = [];
  function show(appId, data, raw) { seen.push({ appId: appId, type: data.type, raw: raw.length, hasToken: raw.indexOf('_') > 20 }); }
  // ---- the snippet, as in README.md ("Without the helper: plain EventSource") ----
  const res = await fetch('/sse/ticket', { method: 'POST', headers: { Authorization: 'Bearer ' + accessToken } });
  const { ticket, param } = await res.json();
  const events = new EventSource('/events?' + param + '=' + encodeURIComponent(ticket));
  events.onmessage = (e) => {
    const appId = e.lastEventId.slice(e.lastEventId.indexOf('_') + 1); // the app's own id: strip the token
    show(appId, JSON.parse(e.data), e.lastEventId);
  };
  // ---- end of the snippet ----
  var errors = 0;
  events.addEventListener('error', function () { errors++; });
  try {
    await H.waitFor('the plain EventSource to get ' + count + ' events', function () { return seen.length >= count; }, 15000);
  } finally {
    events.close();
  }
  return { events: seen, errors: errors };
}

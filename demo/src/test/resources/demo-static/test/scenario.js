// The whole lifecycle in one page load: the test advances the clock and drops streams when asked.
(async function () {
  var obs = { events: [], statuses: [], marks: {} };
  var conn = null;
  function tokenTag() { var m = conn ? conn.maskedId : ''; return m ? m.split('_')[0] : null; }
  function count(type) { return obs.statuses.filter(function (s) { return s.type === type; }).length; }
  function mark(name) { obs.marks[name] = { events: obs.events.length, statuses: obs.statuses.length, tag: tokenTag() }; H.log('mark ' + name); }
  function eventsSince(name) { return obs.events.length - obs.marks[name].events; }
  try {
    var token = await H.login('alice');
    obs.snippet = await plainSnippet(token, 3);

    conn = SseAuth.connect('/events', {
      headers: { Authorization: 'Bearer ' + token },
      onEvent: function (e) {
        var type = null;
        try { type = JSON.parse(e.data).type; } catch (x) { type = 'unparseable:' + e.data; }
        obs.events.push({ id: e.id, type: type, tag: tokenTag() });
      },
      onStatus: function (s) {
        obs.statuses.push({ type: s.type, reason: s.reason || null, resumeFrom: s.resumeFrom || null, at: obs.events.length });
      }
    });
    mark('start');
    await H.waitFor('the handshake and 3 events', function () { return count('handshake') === 1 && obs.events.length >= 3; });
    mark('connected');

    await H.step('drop');                      // the server ends the stream, as a network drop would
    await H.waitFor('the browser to reconnect by itself and 3 more events',
      function () { return count('reconnected') >= 1 && eventsSince('connected') >= 3 + 1; });
    mark('dropped');

    await H.step('rotate');                    // the clock passes rotate-after: the live stream rotates
    await H.waitFor('a token rotation', function () { return count('rotated') >= 1; });
    await H.waitFor('2 more events', function () { return eventsSince('dropped') >= 4; });
    mark('rotated');

    await H.step('drop');                      // the next reconnect must carry the new token
    await H.waitFor('a second reconnect and 3 more events',
      function () { return count('reconnected') >= 2 && eventsSince('rotated') >= 4; });
    mark('reconnectedAfterRotation');

    await H.step('expire');                    // the clock passes the session's max lifetime
    await H.waitFor('a refusal, a fresh ticket, a second handshake and 3 more events',
      function () { return count('refused') >= 1 && count('handshake') >= 2 && eventsSince('reconnectedAfterRotation') >= 4; });
    mark('expired');

    var r = await fetch('/api/logout-everywhere', { method: 'POST', headers: { Authorization: 'Bearer ' + token } });
    obs.logoutStatus = r.status;
    await H.waitFor('the helper to report the stream closed', function () { return count('closed') >= 1; });
    mark('closed');
    await H.pause(400);                        // nothing may arrive after the close
    mark('end');
    obs.ticketsRequested = conn.tickets;
  } catch (e) {
    obs.failure = String(e && e.stack || e);
  } finally {
    if (conn) { conn.close(); }
  }
  await H.report(obs);
})();

// The demo page: an ordinary app (login, its own API) that opens its live feed with sse-auth.js.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var accessToken = null, user = null, stream = null;
  var counts = { tickets: 0, reconnects: 0, rotations: 0, events: 0 };

  fetch('/api/info').then(function (r) { return r.json(); })
    .then(function (i) { $('server').textContent = i.server + ' on ' + location.host; })
    .catch(function () { $('server').textContent = location.host; });

  function api(path, body) {
    var h = { 'Content-Type': 'application/json' };
    if (accessToken) { h.Authorization = 'Bearer ' + accessToken; }
    return fetch(path, { method: 'POST', headers: h, body: JSON.stringify(body || {}) })
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (j) { j.status = r.status; return j; }); });
  }

  function time() { return new Date().toLocaleTimeString([], { hour12: false }); }

  function note(kind, title, why) {
    var li = document.createElement('li');
    li.className = kind;
    li.innerHTML = '<span class="t"></span><b></b><span class="why"></span>';
    li.children[0].textContent = time();
    li.children[1].textContent = title;
    li.children[2].textContent = why || '';
    $('timeline').prepend(li);
    while ($('timeline').children.length > 80) { $('timeline').lastChild.remove(); }
  }

  function marker(text) {
    var li = document.createElement('li');
    li.className = 'marker';
    li.textContent = text;
    $('events').prepend(li);
  }

  function setState(s) {
    $('state').textContent = s;
    $('state').className = 'pill ' + s;
    var live = s !== 'closed';
    $('connect').disabled = !accessToken || live;
    $('disconnect').disabled = !live;
    $('drop').disabled = !live;
  }

  function facts() {
    $('raw-id').textContent = (stream && stream.maskedId) || 'none';
    $('app-id').textContent = (stream && stream.lastEventId) || 'none';
    $('n-tickets').textContent = counts.tickets;
    $('n-reconnects').textContent = counts.reconnects;
    $('n-rotations').textContent = counts.rotations;
    $('count').textContent = counts.events ? '(' + counts.events + ')' : '';
  }

  function onEvent(e) {
    var d = {};
    try { d = JSON.parse(e.data); } catch (x) { d = { type: 'message', text: e.data }; }
    counts.events++;
    var li = document.createElement('li');
    li.className = d.type === 'message' ? 'message' : 'tick';
    li.innerHTML = '<span class="id"></span><span class="type"></span><span class="text"></span>';
    li.children[0].textContent = e.id;
    li.children[1].textContent = d.type;
    li.children[2].textContent = d.type === 'message' ? d.from + ': ' + d.text : 'clock ' + (d.time || '').replace('T', ' ').replace('Z', ' UTC');
    $('events').prepend(li);
    while ($('events').children.length > 60) { $('events').lastChild.remove(); }
    facts();
  }

  function onStatus(s) {
    switch (s.type) {
      case 'ticket-requested':
        note('info', 'Asking for a ticket', 'POST /sse/ticket with the app\'s own Authorization: Bearer header.');
        break;
      case 'ticket':
        counts.tickets++;
        note('ok', 'Ticket fetched', 'Single-use, valid ' + s.expiresIn + ' s. It goes into the stream URL once (?slt=…): spent, it is worthless.');
        break;
      case 'connecting':
        setState('connecting');
        note('info', 'Opening the EventSource', 'GET /events?slt=…' + (s.resumeFrom ? '&lastEventId=' + s.resumeFrom + ' (resume after ' + s.resumeFrom + ', no token in the URL)' : ''));
        break;
      case 'open':
        setState('open');
        break;
      case 'handshake':
        note('ok', 'Handshake: session token received', 'The ticket was redeemed. The token arrived as the event id; the browser keeps it as its Last-Event-ID: ' + s.id);
        if (s.resumeFrom) { marker('resumed after id ' + s.resumeFrom + ' with a fresh ticket'); }
        break;
      case 'reconnecting':
        setState('connecting');
        note('warn', 'Connection lost', 'The browser reconnects by itself, sending Last-Event-ID: ' + (stream ? stream.maskedId : '…') + ' in a header.');
        break;
      case 'reconnected':
        counts.reconnects++;
        setState('open');
        note('ok', 'Reconnected with the token', 'The server verified the token and the app resumed after id ' + s.resumeFrom + ': no gap, no repeat.');
        marker('reconnected, resumed after id ' + s.resumeFrom);
        break;
      case 'rotated':
        counts.rotations++;
        note('info', 'Token rotated', 'A silent event (no message for the app) replaced the token before it expires: ' + s.id);
        break;
      case 'refused':
        setState('connecting');
        note('warn', 'Stream refused (' + s.refusals + '/' + s.maxRefusals + ')', 'The session expired or was revoked: the server answered 401, so the EventSource closed for good. Fetching a fresh ticket to resume.');
        break;
      case 'closed':
        setState('closed');
        note(s.reason === 'closed' ? 'info' : 'bad', 'Stream closed', s.message);
        if (s.reason === 'session-ended') { loggedOut('Your login ended everywhere. Log in again.'); }
        break;
    }
    facts();
  }

  function loggedOut(text) {
    accessToken = null;
    $('who').textContent = text;
    $('text').disabled = $('send').disabled = $('logout').disabled = true;
    setState(stream && !stream.closed ? $('state').textContent : 'closed');
  }

  $('login').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var u = $('username').value;
    var p = $('password').value || u;
    fetch('/api/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: u, password: p }) })
      .then(function (r) { return r.json().then(function (j) { j.status = r.status; return j; }); })
      .then(function (j) {
        if (j.status !== 200) { $('who').textContent = 'Login failed: ' + j.error; return; }
        accessToken = j.accessToken;
        user = u;
        $('who').innerHTML = 'Logged in as <b></b>. The app\'s access token: <code></code>';
        $('who').children[0].textContent = u;
        $('who').children[1].textContent = accessToken.slice(0, 4) + '\u2026(' + accessToken.length + ' chars)\u2026' + accessToken.slice(-4);
        $('text').disabled = $('send').disabled = $('logout').disabled = false;
        setState(stream && !stream.closed ? $('state').textContent : 'closed');
        note('ok', 'Logged in to the app as ' + u, 'POST /api/login gave a bearer access token for the app\'s own API.');
      });
  });

  $('connect').addEventListener('click', function () {
    counts.reconnects = counts.rotations = 0;
    var lastId = stream ? stream.lastEventId : '';
    stream = SseAuth.connect('/events', {
      getHeaders: function () { return accessToken ? { Authorization: 'Bearer ' + accessToken } : {}; },
      lastEventId: lastId,
      onEvent: onEvent,
      onStatus: onStatus
    });
  });

  $('disconnect').addEventListener('click', function () { if (stream) { stream.close(); } });
  $('drop').addEventListener('click', function () {
    note('warn', 'Asking the server to drop the connection', 'POST /api/streams/drop: the server ends your streams, as a network failure would.');
    api('/api/streams/drop');
  });
  $('post').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var t = $('text').value.trim();
    if (!t) { return; }
    api('/api/messages', { text: t }).then(function () { $('text').value = ''; });
  });
  $('logout').addEventListener('click', function () {
    note('warn', 'Logging out everywhere', 'POST /api/logout-everywhere: sse-auth revokes every session of ' + user + ' and the app voids its access tokens.');
    api('/api/logout-everywhere');
  });
  setState('closed');
  facts();
})();

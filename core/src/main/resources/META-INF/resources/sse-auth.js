/*!
 * sse-auth.js: the browser side of sse-auth, dependency-free.
 *
 *   const stream = SseAuth.connect('/events', {
 *     ticketUrl: '/sse/ticket',                        // POSTed with the app's own credentials
 *     headers: { Authorization: 'Bearer ' + token },   // or getHeaders: () => ({...}) (may return a Promise)
 *     onEvent: e => show(e.id, e.data),                // e.id is the app's own id: no token
 *     onStatus: s => console.log(s.type, s),           // ticket, open, handshake, reconnecting, ... closed
 *   });
 *   stream.close();
 *
 * It fetches a ticket, opens a native EventSource with it, and hands the app every event with the token
 * stripped from its id. The browser reconnects by itself with the session token in Last-Event-ID. When
 * the stream is refused for good (session expired or revoked), it fetches a fresh ticket and opens a new
 * EventSource that resumes after the last id (the resume parameter, which carries no token). It stops
 * after `maxRefusals` refusals in a row, or when the ticket endpoint answers 401/403 (the app's login is
 * gone), and reports why through onStatus({type: 'closed', reason, message}).
 *
 * Never use an EventSource polyfill that appends lastEventId to the URL: it would put the token there.
 */
(function (root) {
  'use strict';

  var DEFAULTS = {
    ticketUrl: '/sse/ticket',
    headers: null,
    getHeaders: null,
    credentials: 'same-origin',
    withCredentials: false,
    events: ['message'],
    authEvent: 'auth',
    separator: '_',
    resumeParam: 'lastEventId',
    lastEventId: '',
    maxRefusals: 3,
    retryDelay: 1000,
    onEvent: null,
    onStatus: null
  };

  /** Splits a composite id at the first separator: {token, appId}; token is null for a plain id. */
  function splitId(raw, separator) {
    var i = raw.indexOf(separator);
    return i < 0 ? { token: null, appId: raw } : { token: raw.slice(0, i), appId: raw.slice(i + 1) };
  }

  /** A composite id safe to show: the token reduced to its start, length and end. */
  function maskId(raw, separator) {
    var p = splitId(raw || '', separator || '_');
    if (p.token === null) {
      return p.appId;
    }
    return p.token.slice(0, 4) + '\u2026(' + p.token.length + ' chars)\u2026' + p.token.slice(-4) +
      (separator || '_') + p.appId;
  }

  function connect(url, options) {
    var o = {};
    var k;
    for (k in DEFAULTS) { o[k] = DEFAULTS[k]; }
    for (k in (options || {})) { o[k] = options[k]; }

    var source = null;       // the current EventSource
    var closed = false;
    var lastAppId = o.lastEventId || '';
    var token = null;        // the current session token (never shown to the app)
    var rawId = '';          // the browser's current last event id, token included
    var refusals = 0;
    var tickets = 0;
    var timer = null;

    function status(type, detail) {
      var s = detail || {};
      s.type = type;
      s.time = new Date();
      if (typeof o.onStatus === 'function') {
        try { o.onStatus(s); } catch (e) { setTimeout(function () { throw e; }); }
      }
    }

    function headers() {
      try {
        return Promise.resolve(typeof o.getHeaders === 'function' ? o.getHeaders() : (o.headers || {}));
      } catch (e) {
        return Promise.reject(e);
      }
    }

    /** Remembers the id of an event the browser accepted; reports a token change on the same session. */
    function track(id, handshake) {
      rawId = id;
      var p = splitId(id, o.separator);
      lastAppId = p.appId;
      if (p.token !== null && p.token !== token) {
        var before = token;
        token = p.token;
        if (!handshake && before !== null) {
          status('rotated', { id: maskId(id, o.separator) });
        }
      }
      return p.appId;
    }

    function openWithTicket() {
      timer = null;
      if (closed) { return; }
      tickets++;
      status('ticket-requested', { attempt: tickets });
      headers().then(function (h) {
        return fetch(o.ticketUrl, { method: 'POST', headers: h, credentials: o.credentials, cache: 'no-store' });
      }).then(function (res) {
        if (!res.ok) {
          var err = new Error('the ticket endpoint answered ' + res.status);
          err.status = res.status;
          throw err;
        }
        return res.json();
      }).then(function (t) {
        if (closed) { return; }
        if (!t || typeof t.ticket !== 'string') { throw new Error('the ticket endpoint sent no ticket'); }
        status('ticket', { expiresIn: t.expiresIn });
        // the server's separator and resume parameter win over the options: an id put in the URL with
        // its token still attached would be refused, and the session revoked
        if (typeof t.separator === 'string' && t.separator.length === 1 && t.separator !== o.separator) {
          o.separator = t.separator;
          if (rawId) { track(rawId, true); }
        }
        if (typeof t.resume === 'string' && t.resume) { o.resumeParam = t.resume; }
        var u = new URL(url, root.location.href);
        u.searchParams.set(t.param || 'slt', t.ticket);
        if (lastAppId) {
          u.searchParams.set(o.resumeParam, lastAppId);
        } else {
          u.searchParams.delete(o.resumeParam);
        }
        start(u.toString());
      }).catch(function (err) {
        if (closed) { return; }
        if (err.status === 401 || err.status === 403) {
          stop('session-ended', 'the ticket endpoint answered ' + err.status + ': the login is no longer valid');
        } else {
          refused((err && err.message) || 'the ticket request failed');
        }
      });
    }

    function start(streamUrl) {
      var es = new EventSource(streamUrl, { withCredentials: !!o.withCredentials });
      var opened = false;
      source = es;
      token = null;
      status('connecting', { resumeFrom: lastAppId || null });
      es.onopen = function () {
        if (es !== source) { return; }
        // a later open is the browser's own reconnect, which sent the token in Last-Event-ID
        status(opened ? 'reconnected' : 'open', { resumeFrom: lastAppId || null });
        opened = true;
      };
      es.addEventListener(o.authEvent, function (e) {
        if (es !== source) { return; }
        refusals = 0;
        var resumed = track(e.lastEventId, true);
        var data = null;
        try { data = JSON.parse(e.data); } catch (ignored) { data = e.data; }
        status('handshake', { data: data, resumeFrom: resumed || null, id: maskId(e.lastEventId, o.separator) });
      });
      o.events.forEach(function (name) {
        es.addEventListener(name, function (e) {
          if (es !== source) { return; }
          refusals = 0;
          var id = track(e.lastEventId, false);
          if (typeof o.onEvent === 'function') {
            o.onEvent({ id: id, data: e.data, type: e.type, origin: e.origin });
          }
        });
      });
      es.onerror = function () {
        if (es !== source) { return; }
        if (es.readyState === EventSource.CLOSED) {
          source = null;
          refused('the stream was refused');
        } else {
          status('reconnecting', { resumeFrom: lastAppId || null });
        }
      };
    }

    function refused(why) {
      refusals++;
      status('refused', { reason: why, refusals: refusals, maxRefusals: o.maxRefusals });
      if (refusals >= o.maxRefusals) {
        stop('too-many-refusals', why + ' (' + refusals + ' times in a row)');
        return;
      }
      timer = setTimeout(openWithTicket, refusals === 1 ? 0 : o.retryDelay * (refusals - 1));
    }

    function stop(reason, message) {
      if (closed) { return; }
      closed = true;
      if (timer !== null) { clearTimeout(timer); timer = null; }
      if (source) { source.close(); source = null; }
      status('closed', { reason: reason, message: message });
    }

    openWithTicket();

    return {
      /** The app's own id of the last event (no token); '' before any. */
      get lastEventId() { return lastAppId; },
      /** The last event id with the token masked, for display. */
      get maskedId() { return rawId ? maskId(rawId, o.separator) : ''; },
      /** The underlying EventSource's readyState, or EventSource.CLOSED between sources and after close. */
      get readyState() { return source ? source.readyState : 2; },
      /** Tickets requested so far. */
      get tickets() { return tickets; },
      /** Whether the helper has stopped for good. */
      get closed() { return closed; },
      /** Closes the stream; no reconnect follows. */
      close: function () { stop('closed', 'closed by the application'); }
    };
  }

  root.SseAuth = { connect: connect, maskId: maskId, splitId: splitId };
})(typeof window !== 'undefined' ? window : this);

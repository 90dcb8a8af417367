// An independent Bayeux server for feedctl's Salesforce client: npm's faye, with a small
// extension that adds what Salesforce adds (bearer check, the replay ext and a retained buffer,
// Salesforce's error strings), and an OAuth token endpoint. Prints its base URL, then serves.
//
// Test controls (loopback): POST /test/publish {"channel","name"} publishes a retained event;
// POST /test/drop forgets every client (the next connect gets 403::Unknown client); with
// {"publish":{"channel","name"}} it then publishes a retained event in the same tick, so no
// client can have subscribed again in between. POST /test/expire forgets every retained event
// (stored replay ids become invalid).
'use strict';
const http = require('http');
const faye = require('faye');

const TOKEN = 'faye-test-token-' + Math.random().toString(36).slice(2);
const CREDS = {
  client_id: process.env.SFDC_CLIENT_ID, client_secret: process.env.SFDC_CLIENT_SECRET,
  username: process.env.SFDC_USERNAME, password: process.env.SFDC_PASSWORD,
};
const retained = {}; // channel -> [{replayId, data}]
let nextId = 100;
let baseUrl = '';

const bayeux = new faye.NodeAdapter({ mount: '/cometd', timeout: 2 });
const pendingReplay = {}; // clientId -> [[channel, from]]
const httpClients = new Set(); // clients that came over HTTP (not faye's own in-process one)

bayeux.addExtension({
  incoming(message, request, callback) {
    const auth = request && request.headers && request.headers.authorization;
    if (request && message.channel.startsWith('/meta/') && auth !== 'Bearer ' + TOKEN) {
      message.error = '401::Authentication invalid';
    }
    if (message.channel === '/meta/subscribe' && !message.error) {
      const ch = message.subscription;
      const replay = message.ext && message.ext.replay ? message.ext.replay[ch] : -1;
      const log = retained[ch] || [];
      let from = null;
      if (replay === -1 || replay === undefined) from = Infinity;
      else if (replay === -2) from = -Infinity;
      else if (log.some((e) => e.replayId === replay)) from = replay;
      if (from === null) {
        message.error = `400::The replayId {${replay}} you provided was invalid.  Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.`;
      } else if (from !== Infinity) {
        (pendingReplay[message.clientId] = pendingReplay[message.clientId] || []).push([ch, from]);
      }
    }
    callback(message);
  },
  outgoing(message, request, callback) {
    if (message.channel === '/meta/handshake' && message.successful && request) {
      // HTTP clients only: faye's own in-process client keeps its transport.
      message.ext = { replay: true, 'payload.format': true };
      message.supportedConnectionTypes = ['long-polling'];
      httpClients.add(message.clientId);
    }
    if (message.error && /Unknown client/.test(message.error)) {
      message.error = '403::Unknown client';
      message.advice = { reconnect: 'handshake', interval: 0 };
    }
    if (message.channel === '/meta/subscribe' && message.successful) {
      const todo = pendingReplay[message.clientId] || [];
      delete pendingReplay[message.clientId];
      // One client per test: replaying by publishing reaches it once it is subscribed.
      setTimeout(() => {
        for (const [ch, from] of todo) {
          for (const e of retained[ch] || []) {
            if (e.replayId > from) bayeux.getClient().publish(ch, e.data);
          }
        }
      }, 50);
    }
    callback(message);
  },
});

function publish(channel, name) {
  const replayId = nextId; nextId += 7; // not contiguous, as on Salesforce
  const data = { event: { createdDate: new Date().toISOString(), replayId, type: 'created' }, sobject: { Id: '001' + replayId, Name: name } };
  (retained[channel] = retained[channel] || []).push({ replayId, data });
  bayeux.getClient().publish(channel, data);
  return replayId;
}

function body(req) {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (c) => { text += c; if (text.length > 1e6) req.destroy(); });
    req.on('end', () => resolve(text));
  });
}

const server = http.createServer(async (req, res) => {
  if (req.method === 'POST' && req.url === '/services/oauth2/token') {
    const form = new URLSearchParams(await body(req));
    const ok = Object.keys(CREDS).every((k) => form.get(k) === CREDS[k]);
    res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json' });
    res.end(JSON.stringify(ok
      ? { access_token: TOKEN, instance_url: baseUrl, token_type: 'Bearer', id: baseUrl + '/id/1/2', issued_at: String(Date.now()), signature: 'x' }
      : { error: 'invalid_grant', error_description: 'authentication failure' }));
    return;
  }
  if (req.method === 'POST' && req.url === '/test/publish') {
    const { channel, name } = JSON.parse(await body(req));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ replayId: publish(channel, name) }));
    return;
  }
  if (req.method === 'POST' && req.url === '/test/expire') {
    let n = 0;
    for (const ch of Object.keys(retained)) { n += retained[ch].length; retained[ch] = []; }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ expired: n }));
    return;
  }
  if (req.method === 'POST' && req.url === '/test/drop') {
    const text = await body(req);
    const ids = [...httpClients];
    httpClients.clear();
    ids.forEach((id) => bayeux._server._engine.destroyClient(id));
    const then = text ? JSON.parse(text).publish : undefined;
    const replayId = then ? publish(then.channel, then.name) : undefined;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ dropped: ids.length, replayId }));
    return;
  }
  res.writeHead(404); res.end();
});
bayeux.attach(server);
server.listen(0, '127.0.0.1', () => {
  baseUrl = 'http://127.0.0.1:' + server.address().port;
  console.log(baseUrl);
});

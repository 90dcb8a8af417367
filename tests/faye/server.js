// An independent Bayeux server for feedctl's Salesforce client: npm's faye, with a small
// extension that adds what Salesforce adds (bearer check, the replay ext and a retained buffer,
// Salesforce's error strings), and an OAuth token endpoint. Prints its base URL, then serves.
//
// Test controls (loopback): POST /test/publish {"channel","name"} publishes a retained event;
// POST /test/drop forgets every client (the next connect gets 403::Unknown client); with
// {"publish":{"channel","name"}} it then publishes a retained event in the same tick, so no
// client can have subscribed again in between. POST /test/expire forgets every retained event
// (stored replay ids become invalid); with {"upto": N} only those up to replay id N, newer ones
// staying. FAYE_STATE=FILE keeps the replay ids and retained events in FILE across restarts (as
// an org keeps them across Salesforce's), FAYE_PORT=N listens on that port (to restart on it).
//
// The token endpoint takes grant_type=password (SFDC_* of this process) and, when
// SFDC_JWT_PUBLIC_KEY names a PEM public key or certificate, the JWT bearer grant: the assertion's
// RS256 signature is checked with node's crypto, and iss (SFDC_CLIENT_ID), sub (SFDC_USERNAME),
// aud (this server's base URL or login.salesforce.com) and exp (future, at most 3 minutes + 1
// minute of skew away), with Salesforce's error bodies. POST /test/revoke refuses the current
// token from then on (a new login gets a new one).
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const faye = require('faye');

let TOKEN = 'faye-test-token-' + Math.random().toString(36).slice(2);
const newToken = () => { TOKEN = 'faye-test-token-' + crypto.randomBytes(12).toString('hex'); return TOKEN; };
const JWT_KEY = process.env.SFDC_JWT_PUBLIC_KEY ? (() => {
  const pem = fs.readFileSync(process.env.SFDC_JWT_PUBLIC_KEY, 'utf8');
  return pem.includes('CERTIFICATE') ? new crypto.X509Certificate(pem).publicKey : crypto.createPublicKey(pem);
})() : null;
const usedAssertions = new Set();

// null when the assertion is good, else Salesforce's [error, error_description].
function checkAssertion(jwt) {
  const invalid = ['invalid_grant', 'invalid assertion'];
  if (!JWT_KEY || typeof jwt !== 'string') return invalid;
  const parts = jwt.split('.');
  if (parts.length !== 3) return invalid;
  let header; let claims;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch (e) { return invalid; }
  if (header.alg !== 'RS256') return invalid;
  const signed = crypto.verify('RSA-SHA256', Buffer.from(parts[0] + '.' + parts[1]), JWT_KEY, Buffer.from(parts[2], 'base64url'));
  if (!signed) return invalid;
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== 'number' || claims.exp < now - 60 || claims.exp > now + 240) return invalid;
  if (claims.iss !== CREDS.client_id) return ['invalid_client_id', 'client identifier invalid'];
  if (![baseUrl, 'https://login.salesforce.com'].includes(claims.aud)) return ['invalid_grant', 'audience is invalid'];
  if (claims.sub !== CREDS.username) return ['invalid_grant', "user hasn't approved this consumer"];
  if (usedAssertions.has(parts[2])) return invalid;
  usedAssertions.add(parts[2]);
  return null;
}
const CREDS = {
  client_id: process.env.SFDC_CLIENT_ID, client_secret: process.env.SFDC_CLIENT_SECRET,
  username: process.env.SFDC_USERNAME, password: process.env.SFDC_PASSWORD,
};
let retained = {}; // channel -> [{replayId, data}]
let nextId = 100;
const STATE = process.env.FAYE_STATE;
if (STATE && fs.existsSync(STATE)) {
  ({ retained, nextId } = JSON.parse(fs.readFileSync(STATE, 'utf8')));
}
const keep = () => { if (STATE) fs.writeFileSync(STATE, JSON.stringify({ retained, nextId })); };
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
  keep();
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
    let refused = null;
    if (form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      refused = checkAssertion(form.get('assertion'));
    } else if (form.get('grant_type') !== 'password') {
      refused = ['unsupported_grant_type', 'grant type not supported'];
    } else if (!Object.keys(CREDS).every((k) => form.get(k) === CREDS[k])) {
      refused = ['invalid_grant', 'authentication failure'];
    }
    res.writeHead(refused ? 400 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(refused
      ? { error: refused[0], error_description: refused[1] }
      : { access_token: TOKEN, instance_url: baseUrl, token_type: 'Bearer', id: baseUrl + '/id/1/2', issued_at: String(Date.now()), signature: 'x' }));
    return;
  }
  if (req.method === 'POST' && req.url === '/test/revoke') {
    await body(req);
    newToken();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ revoked: 1 }));
    return;
  }
  if (req.method === 'POST' && req.url === '/test/publish') {
    const { channel, name } = JSON.parse(await body(req));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ replayId: publish(channel, name) }));
    return;
  }
  if (req.method === 'POST' && req.url === '/test/expire') {
    const text = await body(req);
    const upto = text ? JSON.parse(text).upto : undefined;
    let n = 0;
    for (const ch of Object.keys(retained)) {
      const kept = retained[ch].filter((e) => upto !== undefined && e.replayId > upto);
      n += retained[ch].length - kept.length;
      retained[ch] = kept;
    }
    keep();
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
server.listen(Number(process.env.FAYE_PORT || 0), '127.0.0.1', () => {
  baseUrl = 'http://127.0.0.1:' + server.address().port;
  console.log(baseUrl);
});

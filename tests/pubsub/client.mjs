// A Pub/Sub consumer and publisher as a user writes them with the published npm client
// (salesforce-pubsub-api-client), driven by tests/cli/pubsub.rs: one JSON command a line on
// stdin, one JSON line on stdout per thing the client reports. Node finds the package through
// FEEDCTL_TEST_PUBSUB_MODULES (.ci/run installs it).
//
// Commands: {"op":"subscribe","topic":T,"n":N,"from":"latest"|"earliest"|REPLAY_ID}
//           {"op":"more","topic":T,"n":N}   {"op":"publish","topic":T,"payload":{...}}
//           {"op":"exit"}
// Output:   {"kind":"ready"} {"kind":"event",topic,replayId,id,schemaId,payload}
//           {"kind":"lastEvent",topic} {"kind":"keepalive",topic,lastReplayId}
//           {"kind":"error",topic,code,details,errorCode} {"kind":"end",topic}
//           {"kind":"published",replayId,correlationKey} {"kind":"publishError",message}
import { createRequire } from 'node:module';
import path from 'node:path';
import readline from 'node:readline';

const require = createRequire(path.join(process.env.FEEDCTL_TEST_PUBSUB_MODULES, 'x.js'));
const modulePath = require.resolve('salesforce-pubsub-api-client');
const { default: PubSubApiClient } = await import(modulePath.replace(/client\.cjs$/, 'client.js'));

const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

const client = new PubSubApiClient({
  authType: 'user-supplied',
  accessToken: process.env.SF_ACCESS_TOKEN,
  instanceUrl: process.env.SF_INSTANCE_URL,
  organizationId: process.env.SF_ORG_ID,
  pubSubEndpoint: process.env.PUBSUB_ENDPOINT,
  rejectUnauthorizedSsl: false,
}, quiet);
await client.connect();

const callback = (subscription, type, data) => {
  const topic = subscription.topicName;
  switch (type) {
    case 'event':
      out({ kind: 'event', topic, replayId: data.replayId, id: data.id, schemaId: data.schemaId, payload: data.payload });
      break;
    case 'lastEvent':
      out({ kind: 'lastEvent', topic });
      break;
    case 'grpcKeepalive':
      out({ kind: 'keepalive', topic, lastReplayId: subscription.lastReplayId });
      break;
    case 'error': {
      const md = data && data.metadata && typeof data.metadata.get === 'function' ? data.metadata.get('error-code') : [];
      out({ kind: 'error', topic, code: data && data.code, details: data && (data.details || data.message), errorCode: md.length ? String(md[0]) : null });
      break;
    }
    case 'end':
      out({ kind: 'end', topic });
      break;
    default:
      break;
  }
};

const rl = readline.createInterface({ input: process.stdin });
out({ kind: 'ready' });
for await (const line of rl) {
  if (!line.trim()) continue;
  const cmd = JSON.parse(line);
  try {
    if (cmd.op === 'subscribe') {
      if (cmd.from === 'earliest') client.subscribeFromEarliestEvent(cmd.topic, callback, cmd.n);
      else if (cmd.from === 'latest' || cmd.from === undefined) client.subscribe(cmd.topic, callback, cmd.n);
      else client.subscribeFromReplayId(cmd.topic, callback, cmd.n, cmd.from);
    } else if (cmd.op === 'more') {
      client.requestAdditionalEvents(cmd.topic, cmd.n);
    } else if (cmd.op === 'publish') {
      const r = await client.publish(cmd.topic, cmd.payload);
      out({ kind: 'published', replayId: r.replayId, correlationKey: r.correlationKey, error: r.error || null });
    } else if (cmd.op === 'exit') {
      break;
    }
  } catch (e) {
    out({ kind: cmd.op === 'publish' ? 'publishError' : 'commandError', message: String(e && (e.cause ? e.cause.message || e.cause.details : e.message)) });
  }
}
client.close();
process.exit(0);

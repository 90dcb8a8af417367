// A Subscribe stream on the wire, with the gRPC library and proto loader the published client
// uses (@grpc/grpc-js, @grpc/proto-loader, from FEEDCTL_TEST_PUBSUB_MODULES) and Salesforce's
// proto (the repository's proto/pubsub_api.proto): what the client hides — keepalives (empty
// FetchResponses), latest_replay_id and pending_num_requested — printed one JSON line per
// FetchResponse. Commands on stdin, one JSON a line: {"op":"subscribe","topic":T,"n":N,
// "preset":"EARLIEST"|"LATEST"} then {"op":"more","n":N}; {"op":"exit"} ends.
import { createRequire } from 'node:module';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const require = createRequire(path.join(process.env.FEEDCTL_TEST_PUBSUB_MODULES, 'x.js'));
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const here = path.dirname(fileURLToPath(import.meta.url));
const def = protoLoader.loadSync(path.join(here, '../../proto/pubsub_api.proto'), {});
const PubSub = grpc.loadPackageDefinition(def).eventbus.v1.PubSub;

const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const id = (b) => (b && b.length === 8 ? Number(b.readBigUInt64BE()) : null);

const creds = grpc.credentials.combineChannelCredentials(
  grpc.credentials.createSsl(null, null, null, { rejectUnauthorized: false }),
  grpc.credentials.createFromMetadataGenerator((_p, cb) => {
    const md = new grpc.Metadata();
    md.add('accesstoken', process.env.SF_ACCESS_TOKEN);
    md.add('instanceurl', process.env.SF_INSTANCE_URL);
    md.add('tenantid', process.env.SF_ORG_ID);
    cb(null, md);
  }),
);
const client = new PubSub(process.env.PUBSUB_ENDPOINT, creds);
let stream = null;
out({ kind: 'ready' });
for await (const line of readline.createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const cmd = JSON.parse(line);
  if (cmd.op === 'subscribe') {
    stream = client.Subscribe();
    stream.on('data', (r) => out({
      kind: 'response',
      replayIds: (r.events || []).map((e) => id(e.replayId)),
      latestReplayId: id(r.latestReplayId),
      pending: r.pendingNumRequested || 0, // proto3: 0 is not on the wire
    }));
    stream.on('error', (e) => out({ kind: 'error', code: e.code, errorCode: String(e.metadata.get('error-code')[0] || '') }));
    stream.write({ topicName: cmd.topic, replayPreset: cmd.preset, numRequested: cmd.n });
  } else if (cmd.op === 'more') {
    stream.write({ numRequested: cmd.n });
  } else if (cmd.op === 'exit') {
    break;
  }
}
if (stream) stream.cancel();
client.close();
process.exit(0);

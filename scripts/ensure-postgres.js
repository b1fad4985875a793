#!/usr/bin/env node
// Makes sure the local PostgreSQL answers before the run or test command needs it.
// On this project's machines PostgreSQL is a Debian cluster: start it when it is installed but stopped.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');

const url = new URL(process.env.DATABASE_URL || process.env.TEST_DATABASE_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres');
const host = url.hostname || '127.0.0.1';
const port = Number(url.port || 5432);
const isLocal = ['127.0.0.1', 'localhost', '::1'].includes(host);

function reachable() {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(2000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}

async function main() {
  if (await reachable()) return;
  if (!isLocal) throw new Error(`PostgreSQL at ${host}:${port} is not reachable`);
  const clusters = fs.existsSync('/etc/postgresql') ? fs.readdirSync('/etc/postgresql') : [];
  if (clusters.length === 0) {
    throw new Error('PostgreSQL is not running on 127.0.0.1:5432 and no local cluster is installed (apt-get install postgresql, or set DATABASE_URL)');
  }
  console.log(`[postgres] starting the local cluster ${clusters[0]}/main`);
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', clusters[0], 'main', 'start'], { stdio: 'inherit' });
  for (let i = 0; i < 50; i++) {
    if (await reachable()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('PostgreSQL did not come up within 10 s');
}

main().catch((error) => {
  console.error(`[postgres] ${error.message}`);
  process.exit(1);
});

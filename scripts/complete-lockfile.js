#!/usr/bin/env node
// Adds lockfile entries for other platforms' optional binary packages (@swc/core-*, @unrs/resolver-binding-*).
// Why: the registry this project's machines reach serves only the linux-x64 builds, so npm cannot write those
// entries, and `npm ci` then refuses the lockfile as "out of sync". npm skips such packages on other platforms
// by their os/cpu fields without fetching them. Run after `npm install` changes the lockfile.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const lockPath = path.join(root, 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
const OS = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openharmony'];

/** "linux-arm64-musl" → { os: ['linux'], cpu: ['arm64'], libc: ['musl'] } */
function platformOf(suffix) {
  const [first, second, abi] = suffix.split('-');
  if (first === 'wasm32') return { cpu: ['wasm32'] };
  if (!OS.includes(first) || !second) return undefined;
  const fields = { os: [first], cpu: [second] };
  if (abi && abi.startsWith('gnu')) fields.libc = ['glibc'];
  if (abi && abi.startsWith('musl')) fields.libc = ['musl'];
  return fields;
}

let added = 0;
for (const [location, entry] of Object.entries(lock.packages)) {
  const optional = entry.optionalDependencies;
  if (!location || !optional) continue;
  for (const [name, version] of Object.entries(optional)) {
    const target = `node_modules/${name}`;
    if (lock.packages[target]) continue;
    const prefix = Object.keys(optional).reduce((common, other) => {
      let i = 0;
      while (i < common.length && common[i] === other[i]) i++;
      return common.slice(0, i);
    });
    const platform = platformOf(name.slice(prefix.length));
    if (!platform) continue;
    lock.packages[target] = { version: version.replace(/^[\^~]/, ''), ...platform, optional: true };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
fs.writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: ${added} optional platform entries added`);

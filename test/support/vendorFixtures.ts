import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Published vendor examples kept under test/fixtures/vendor/<vendor>/ (sources in each SOURCES.md). */
const ROOT = path.join(__dirname, '..', 'fixtures', 'vendor');

export function vendorText(file: string, vendor = vendorOf(file)): string {
  return readFileSync(path.join(ROOT, vendor, file), 'utf8').trim();
}

export function vendorJson<T>(file: string, vendor = vendorOf(file)): T {
  return JSON.parse(vendorText(file, vendor)) as T;
}

function vendorOf(file: string): string {
  return file.split('_')[0] ?? '';
}

#!/usr/bin/env node
// Checks the packed packages before a new app installs them: each tarball is
// a publishable package of the family (public, Apache-2.0, 0.x, no workspace:
// ranges left) with its LICENSE, README, CHANGELOG and built entry points, and
// without sources.
//
//   node scripts/fresh-app/check-tarballs.mjs <tarball dir>
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
const tarballs = fs.readdirSync(dir).filter(f => f.endsWith('.tgz'));
const problems = [];
if (tarballs.length === 0) problems.push(`no tarballs in ${dir}`);

for (const file of tarballs) {
  const tarball = path.join(dir, file);
  const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map(f => f.replace(/^package\//, ''));
  const pkg = JSON.parse(
    execFileSync('tar', ['xzf', tarball, '-O', 'package/package.json'], {
      encoding: 'utf8',
    }),
  );
  const say = msg => problems.push(`${file}: ${msg}`);
  if (!pkg.name.startsWith('@airflow-for-backstage/')) say(`name ${pkg.name}`);
  if (pkg.private) say('private: true');
  if (pkg.license !== 'Apache-2.0') say(`license ${pkg.license}`);
  if (!/^0\.\d+\.\d+/.test(pkg.version))
    say(`version ${pkg.version} is not 0.x`);
  if (pkg.publishConfig?.access !== 'public')
    say('publishConfig.access is not public');
  if (!pkg.repository?.url || !pkg.repository?.directory)
    say('repository is incomplete');
  if (!pkg.keywords?.includes('backstage')) say('keywords lack backstage');
  if (!pkg.backstage?.role) say('backstage.role missing');
  for (const field of ['dependencies', 'peerDependencies']) {
    for (const [dep, range] of Object.entries(pkg[field] ?? {})) {
      if (String(range).startsWith('workspace:'))
        say(`${field}.${dep} is ${range}`);
    }
  }
  for (const required of [
    'LICENSE',
    'README.md',
    'CHANGELOG.md',
    'package.json',
  ]) {
    if (!files.includes(required)) say(`${required} missing`);
  }
  for (const [entry, target] of Object.entries(pkg.exports ?? {})) {
    const targets =
      typeof target === 'string' ? [target] : Object.values(target);
    for (const t of targets.filter(t => t.startsWith('./'))) {
      if (!files.includes(t.slice(2)))
        say(`exports["${entry}"] names ${t}, not in the tarball`);
    }
  }
  if (pkg.main && !files.includes(pkg.main.replace(/^\.\//, '')))
    say(`main ${pkg.main} missing`);
  if (pkg.types && !files.includes(pkg.types.replace(/^\.\//, '')))
    say(`types ${pkg.types} missing`);
  if (files.some(f => f.startsWith('src/'))) say('contains src/');
  console.log(`${pkg.name}@${pkg.version}: ${files.length} files`);
}

if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`${tarballs.length} tarballs checked`);

#!/usr/bin/env node
// Checks that the published packages (plugins/*) are publishable as the
// family `@airflow-for-backstage`, and that the example portal uses them by
// their public names. Run by .ci/run; prints each problem and exits 1.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const read = f => fs.readFileSync(path.join(root, f), 'utf8');
const problems = [];
const license = read('LICENSE');
if (!license.includes('Apache License') || !license.includes('Version 2.0')) {
  problems.push('LICENSE is not the Apache License 2.0');
}

const published = [];
for (const dir of fs.readdirSync(path.join(root, 'plugins'))) {
  const pkgFile = `plugins/${dir}/package.json`;
  if (!fs.existsSync(path.join(root, pkgFile))) continue;
  const pkg = JSON.parse(read(pkgFile));
  const say = msg => problems.push(`${pkgFile}: ${msg}`);
  published.push(pkg.name);
  if (pkg.private) say('private: true');
  if (!pkg.name.startsWith('@airflow-for-backstage/backstage-plugin-')) say(`name ${pkg.name}`);
  if (pkg.license !== 'Apache-2.0') say(`license ${pkg.license}`);
  if (!/^0\.\d+\.\d+$/.test(pkg.version)) say(`version ${pkg.version} is not 0.x`);
  for (const field of ['description', 'keywords', 'repository', 'homepage', 'exports', 'files']) {
    if (!pkg[field]) say(`no ${field}`);
  }
  if (pkg.publishConfig?.access !== 'public') say('publishConfig.access is not public');
  if (!pkg.backstage?.role) say('no backstage.role');
  if (!pkg.scripts?.prepack || !pkg.scripts?.postpack) say('no prepack/postpack');
  for (const file of ['LICENSE', 'README.md', 'CHANGELOG.md']) {
    if (!fs.existsSync(path.join(root, 'plugins', dir, file))) say(`no ${file}`);
  }
  if (fs.existsSync(path.join(root, 'plugins', dir, 'LICENSE')) && read(`plugins/${dir}/LICENSE`) !== license) {
    say('LICENSE differs from the repository LICENSE');
  }
  const readme = fs.existsSync(path.join(root, 'plugins', dir, 'README.md')) ? read(`plugins/${dir}/README.md`) : '';
  if (!readme.startsWith(`# ${pkg.name}\n`)) say('README.md does not start with the package name');
  for (const section of ['## Install', '## Compatibility']) {
    if (!readme.includes(`${section}\n`)) say(`README.md has no "${section}" section`);
  }
  const changelog = fs.existsSync(path.join(root, 'plugins', dir, 'CHANGELOG.md')) ? read(`plugins/${dir}/CHANGELOG.md`) : '';
  if (!changelog.includes(`\n## ${pkg.version}\n`)) say(`CHANGELOG.md has no section for ${pkg.version}`);
  for (const file of ['package.json', 'README.md']) {
    const text = fs.existsSync(path.join(root, 'plugins', dir, file)) ? read(`plugins/${dir}/${file}`) : '';
    if (text.includes('@internal/')) say(`${file} names an @internal package`);
    if (text.includes('UNLICENSED')) say(`${file} says UNLICENSED`);
  }
}

// The example portal depends on the family by the public names.
for (const app of ['packages/app/package.json', 'packages/backend/package.json']) {
  const deps = JSON.parse(read(app)).dependencies ?? {};
  const family = Object.keys(deps).filter(n => n.startsWith('@airflow-for-backstage/'));
  if (family.length === 0) problems.push(`${app}: depends on no @airflow-for-backstage package`);
  for (const name of family) {
    if (!published.includes(name)) problems.push(`${app}: ${name} is not a published package`);
  }
  if (Object.keys(deps).some(n => n.startsWith('@internal/'))) problems.push(`${app}: depends on an @internal package`);
}
if (!read('.changeset/config.json')) problems.push('no .changeset/config.json');

if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`${published.length} published packages: ${published.join(', ')}`);

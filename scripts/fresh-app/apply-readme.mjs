#!/usr/bin/env node
// Applies the "Installing in your Backstage" section of README.md to a new
// Backstage app, block by block, exactly as written. The fresh-app proof
// (scripts/fresh-app.sh) runs this, so the README's install steps are the
// tested ones.
//
//   node scripts/fresh-app/apply-readme.mjs <README.md> <app dir> <tarball dir>
//   node scripts/fresh-app/apply-readme.mjs --list <README.md>
//
// Blocks of the section that the step applies (all others are for reading):
// - ```json title="package.json ranges"```: `{ "<package.json path>": { "<dependency>": "<range>" } }`,
//   sets each range where the dependency is listed (dependencies or devDependencies).
// - ```bash```: `yarn --cwd <dir> add <package>...` lines. The packages are not
//   in a registry yet, so each is added as `file:` the tarball that
//   scripts/fresh-app.sh packed, and the root `resolutions` point every package
//   of the family at its tarball (for their dependencies on each other).
// - ```diff title="<file>"```: hunks separated by `@@` lines; the lines marked
//   ` ` and `-` must appear in the file as one run of lines, and are replaced
//   by the lines marked ` ` and `+`.
// - ```yaml title="<file>"```: appended to the file.
import fs from 'node:fs';
import path from 'node:path';

const SECTION = '## Installing in your Backstage';

/** The fenced blocks of the README's install section: `{ lang, title, body }`. */
export function readInstallBlocks(readme) {
  const text = fs.readFileSync(readme, 'utf8');
  const start = text.indexOf(`\n${SECTION}\n`);
  if (start < 0) throw new Error(`${readme}: no "${SECTION}" section`);
  const rest = text.slice(start + SECTION.length + 2);
  const end = rest.search(/\n## /);
  const section = end < 0 ? rest : rest.slice(0, end);
  const blocks = [];
  const fence = /^```(\w+)?([^\n]*)\n([\s\S]*?)^```$/gm;
  for (const m of section.matchAll(fence)) {
    const title = /title="([^"]+)"/.exec(m[2] ?? '')?.[1];
    blocks.push({ lang: m[1] ?? '', title, body: m[3] });
  }
  return blocks;
}

/** Whether the step applies a block (the others illustrate other setups). */
export function isApplied(block) {
  if (block.lang === 'bash') return /^yarn --cwd /m.test(block.body);
  if (block.lang === 'json') return block.title === 'package.json ranges';
  return (block.lang === 'diff' || block.lang === 'yaml') && !!block.title;
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function writeJson(file, value) {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function applyRanges(app, body, log) {
  const ranges = JSON.parse(body);
  for (const [pkgPath, deps] of Object.entries(ranges)) {
    const file = path.join(app, pkgPath);
    const pkg = readJson(file);
    for (const [name, range] of Object.entries(deps)) {
      const field = ['dependencies', 'devDependencies'].find(
        f => pkg[f]?.[name],
      );
      if (!field) throw new Error(`${pkgPath} does not list ${name}`);
      log(`${pkgPath}: ${name} ${pkg[field][name]} -> ${range}`);
      pkg[field][name] = range;
    }
    writeJson(file, pkg);
  }
}

/** The tarballs by package name, read from each tarball's file name. */
function tarballsByName(dir) {
  const byName = new Map();
  for (const file of fs.readdirSync(dir)) {
    const m =
      /^@airflow-for-backstage-(.+)-\d+\.\d+\.\d+(?:-[\w.]+)?\.tgz$/.exec(file);
    if (m) byName.set(`@airflow-for-backstage/${m[1]}`, path.join(dir, file));
  }
  return byName;
}

function applyYarnAdd(app, body, tarballs, log) {
  const root = path.join(app, 'package.json');
  const rootPkg = readJson(root);
  rootPkg.resolutions = rootPkg.resolutions ?? {};
  for (const [name, file] of tarballs) {
    rootPkg.resolutions[name] = `file:${file}`;
  }
  writeJson(root, rootPkg);
  for (const line of body.split('\n').filter(l => l.trim())) {
    const m = /^yarn --cwd (\S+) add ((?:\S+ ?)+)$/.exec(line.trim());
    if (!m) throw new Error(`cannot apply the command: ${line}`);
    const file = path.join(app, m[1], 'package.json');
    const pkg = readJson(file);
    for (const name of m[2].trim().split(/\s+/)) {
      const tarball = tarballs.get(name);
      if (!tarball) throw new Error(`no tarball for ${name}`);
      pkg.dependencies[name] = `file:${tarball}`;
      log(`${m[1]}: ${name} from ${path.basename(tarball)}`);
    }
    pkg.dependencies = Object.fromEntries(
      Object.entries(pkg.dependencies).sort(([a], [b]) => a.localeCompare(b)),
    );
    writeJson(file, pkg);
  }
}

function applyDiff(app, title, body, log) {
  const file = path.join(app, title);
  let text = fs.readFileSync(file, 'utf8');
  const hunks = body
    .split(/^@@.*\n/m)
    .map(h => h.split('\n').filter((l, i, all) => i < all.length - 1 || l))
    .filter(h => h.length);
  for (const hunk of hunks) {
    const before = [];
    const after = [];
    for (const line of hunk) {
      const mark = line[0] ?? ' ';
      const content = line.slice(1);
      if (mark === ' ' || mark === '-') before.push(content);
      if (mark === ' ' || mark === '+') after.push(content);
      if (!' -+'.includes(mark))
        throw new Error(`${title}: bad diff line ${line}`);
    }
    const lines = text.split('\n');
    const at = lines.findIndex((_, i) =>
      before.every((b, j) => lines[i + j]?.trimEnd() === b.trimEnd()),
    );
    if (at < 0) {
      throw new Error(
        `${title}: these lines are not in the file:\n${before.join('\n')}`,
      );
    }
    lines.splice(at, before.length, ...after);
    text = lines.join('\n');
    const removed = hunk.filter(l => l[0] === '-').length;
    const added = hunk.filter(l => l[0] === '+').length;
    log(`${title}: -${removed} +${added} lines at line ${at + 1}`);
  }
  fs.writeFileSync(file, text);
}

function applyYaml(app, title, body, log) {
  const file = path.join(app, title);
  const text = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, `${text.replace(/\n*$/, '\n')}\n${body}`);
  log(`${title}: appended ${body.split('\n').length - 1} lines`);
}

function main(argv) {
  if (argv[0] === '--list') {
    for (const b of readInstallBlocks(argv[1])) {
      console.log(
        `${isApplied(b) ? 'apply' : 'skip '} ${b.lang} ${b.title ?? ''}`,
      );
    }
    return;
  }
  const [readme, app, tarballDir] = argv;
  if (!readme || !app || !tarballDir) {
    throw new Error(
      'usage: apply-readme.mjs <README.md> <app dir> <tarball dir>',
    );
  }
  const tarballs = tarballsByName(tarballDir);
  const log = msg => console.log(`  ${msg}`);
  let applied = 0;
  for (const block of readInstallBlocks(readme)) {
    if (!isApplied(block)) continue;
    console.log(`${block.lang} ${block.title ?? ''}`);
    if (block.lang === 'json') applyRanges(app, block.body, log);
    else if (block.lang === 'bash')
      applyYarnAdd(app, block.body, tarballs, log);
    else if (block.lang === 'diff')
      applyDiff(app, block.title, block.body, log);
    else applyYaml(app, block.title, block.body, log);
    applied++;
  }
  if (applied === 0)
    throw new Error('the install section has no block to apply');
  console.log(`${applied} blocks applied`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    console.error(String(error.message ?? error));
    process.exit(1);
  }
}

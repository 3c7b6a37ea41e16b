/**
 * P6: how much JavaScript the Airflow plugin adds to the app build
 * (packages/app/dist/static), gzip-compressed (zlib level 9).
 *
 * Every chunk's source map attributes each byte of the chunk to a source
 * file; "own" bytes are those from plugins/airflow and plugins/airflow-common.
 * The Airflow tab's own JS = the own bytes of the chunk(s) holding
 * EntityAirflowContent plus the own bytes of the entry chunk (main), which
 * every page loads; each part is gzipped as one text.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const OWN = /plugins\/airflow(-common)?\/(src|package\.json)/;
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

/** Decodes one source-map "mappings" field into per-line [generatedColumn, sourceIndex] segments. */
export function decodeMappings(
  mappings: string,
): Array<Array<[number, number]>> {
  const lines: Array<Array<[number, number]>> = [];
  let source = 0;
  for (const line of mappings.split(';')) {
    const segs: Array<[number, number]> = [];
    let col = 0;
    for (const seg of line.split(',')) {
      if (!seg) continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const digit = B64_INDEX.get(ch);
        if (digit === undefined) throw new Error(`bad VLQ character ${ch}`);
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
        } else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      col += fields[0];
      if (fields.length >= 4) {
        source += fields[1];
        segs.push([col, source]);
      } else {
        segs.push([col, -1]);
      }
    }
    lines.push(segs);
  }
  return lines;
}

export const gzipSize = (text: string | Buffer) =>
  zlib.gzipSync(text, { level: 9 }).length;

export interface ChunkReport {
  file: string;
  bytes: number;
  gzip: number;
  ownBytes: number;
  ownGzip: number;
  ownSources: number;
  isEntry: boolean;
  hasTab: boolean;
  ownText: string;
}

export function analyzeChunks(staticDir: string): ChunkReport[] {
  const out: ChunkReport[] = [];
  for (const file of fs.readdirSync(staticDir)) {
    if (!file.endsWith('.js')) continue;
    const mapFile = path.join(staticDir, `${file}.map`);
    if (!fs.existsSync(mapFile)) continue;
    const map = JSON.parse(fs.readFileSync(mapFile, 'utf8'));
    const sources: string[] = map.sources ?? [];
    const ownIdx = new Set(sources.flatMap((s, i) => (OWN.test(s) ? [i] : [])));
    if (ownIdx.size === 0) continue;
    const code = fs.readFileSync(path.join(staticDir, file), 'utf8');
    const codeLines = code.split('\n');
    const decoded = decodeMappings(map.mappings);
    let own = '';
    decoded.forEach((segs, lineNo) => {
      const line = codeLines[lineNo] ?? '';
      segs.forEach(([col, src], k) => {
        if (!ownIdx.has(src)) return;
        const end = k + 1 < segs.length ? segs[k + 1][0] : line.length;
        own += line.slice(col, end);
      });
      own += '\n';
    });
    own = own.replace(/\n{2,}/g, '\n');
    out.push({
      file,
      bytes: Buffer.byteLength(code),
      gzip: gzipSize(code),
      ownBytes: Buffer.byteLength(own),
      ownGzip: gzipSize(own),
      ownSources: ownIdx.size,
      isEntry: file.startsWith('main.'),
      hasTab: sources.some(s => /EntityAirflowContent\//.test(s)),
      ownText: own,
    });
  }
  return out.sort((a, b) => b.ownBytes - a.ownBytes);
}

export function p6Report(repoRoot: string) {
  const staticDir = path.join(repoRoot, 'packages/app/dist/static');
  if (!fs.existsSync(staticDir)) {
    throw new Error(
      `${staticDir} is missing: build the app first (yarn build:all)`,
    );
  }
  const chunks = analyzeChunks(staticDir);
  const tabParts = chunks.filter(c => c.hasTab || c.isEntry);
  const tabOwnText = tabParts.map(c => c.ownText).join('\n');
  const allOwnText = chunks.map(c => c.ownText).join('\n');
  return {
    chunks: chunks.map(({ ownText: _ignored, ...c }) => c),
    tabOwnGzip: gzipSize(tabOwnText),
    tabOwnBytes: Buffer.byteLength(tabOwnText),
    tabChunksGzip: chunks.filter(c => c.hasTab).reduce((a, c) => a + c.gzip, 0),
    allOwnGzip: gzipSize(allOwnText),
  };
}

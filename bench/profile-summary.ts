/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and prints where the time went: self time by
 * package or project folder, then the heaviest functions by self and by total (inclusive) time.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/mock-server/cli.js --memory --quiet
 *   npx tsx bench/profile-summary.ts /tmp/prof/CPU.*.cpuprofile [top]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const REPO = path.join(__dirname, '..');

/** `fastify`, `node:internal`, `mock-server/api`: who owns the code. */
function owner(url: string): string {
  if (!url) return '(native/gc/idle)';
  if (url.startsWith('node:')) return 'node';
  const file = url.replace(/^file:\/\//, '');
  const modules = file.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const parts = file.slice(modules + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const relative = path.relative(REPO, file).replace(/^dist\//, '');
  return relative.startsWith('..') ? file : path.dirname(relative);
}

function summarise(file: string, top: number): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    self.set(id, (self.get(id) ?? 0) + ms);
    total += ms;
  });
  const add = (map: Map<string, number>, key: string, ms: number) =>
    map.set(key, (map.get(key) ?? 0) + ms);
  const byOwner = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  const totalByFunction = new Map<string, number>();
  const name = (node: ProfileNode) =>
    `${node.callFrame.functionName || '(anonymous)'} ${owner(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
  for (const [id, ms] of self) {
    const node = byId.get(id) as ProfileNode;
    add(byOwner, owner(node.callFrame.url), ms);
    add(selfByFunction, name(node), ms);
    // Inclusive time: each function once per sample, however deep it recurses.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const key = name(byId.get(at) as ProfileNode);
      if (!seen.has(key)) add(totalByFunction, key, ms);
      seen.add(key);
    }
  }
  const print = (title: string, map: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [key, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(
        `${ms.toFixed(1).padStart(9)} ms ${((ms / total) * 100).toFixed(1).padStart(5)}%  ${key}`,
      );
    }
  };
  console.log(`${file}: ${total.toFixed(0)} ms sampled`);
  print('self time by owner', byOwner);
  print('self time by function', selfByFunction);
  print('total time by function', totalByFunction);
}

const [file, top = '25'] = process.argv.slice(2);
if (!file) {
  console.error('usage: tsx bench/profile-summary.ts <file.cpuprofile> [top]');
  process.exit(2);
}
summarise(file, Number(top));

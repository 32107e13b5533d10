import { readFileSync } from 'node:fs';
import { ROOT } from './helpers.js';

/** There is no container engine here, so the Dockerfile is checked as text, stage by stage. */
interface Stage {
  from: string;
  name: string;
  lines: string[];
}

function stages(text: string): Stage[] {
  const out: Stage[] = [];
  const joined = text.replace(/\\\n/g, ' ');
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) out.push({ from: from[1] ?? '', name: from[2] ?? '', lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

describe('the Dockerfile', () => {
  const text = readFileSync(`${ROOT}Dockerfile`, 'utf8');
  const all = stages(text);
  const final = all.at(-1)!;

  it('builds in stages on a Node 20 slim base', () => {
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/ARG NODE_IMAGE=node:20[-.\w]*-slim/);
    for (const s of all) expect(s.from).toBe('${NODE_IMAGE}');
  });

  it('ships only production dependencies and compiled code in the final stage', () => {
    const copies = final.lines.filter((l) => l.startsWith('COPY'));
    const nodeModules = copies.filter((l) => /node_modules/.test(l));
    expect(nodeModules).toHaveLength(1);
    const from = /--from=(\S+)/.exec(nodeModules[0] ?? '')?.[1];
    const source = all.find((s) => s.name === from);
    expect(source?.lines.join('\n')).toMatch(/npm ci[^\n]*--omit=dev/);
    expect(copies.some((l) => /COPY\s+(src|\.)\s/.test(l))).toBe(false);
    expect(final.lines.some((l) => /^RUN .*npm (ci|install)/.test(l))).toBe(false);
  });

  it('runs as a numeric non-root user with tini as PID 1', () => {
    const user = final.lines.filter((l) => l.startsWith('USER')).at(-1);
    expect(user).toMatch(/^USER [1-9][0-9]*:[1-9][0-9]*$/);
    expect(final.lines.join('\n')).toMatch(/apt-get install[^\n]*\btini\b/);
    const entry = final.lines.find((l) => l.startsWith('ENTRYPOINT'));
    const argv = JSON.parse(entry?.replace(/^ENTRYPOINT\s+/, '') ?? '[]') as string[];
    expect(argv.slice(0, 2)).toEqual(['/usr/bin/tini', '--']);
    expect(argv.slice(2)).toEqual(['node', '/app/bin/task-router.js']);
  });

  it('writes nothing outside /tmp at run time, so a read-only root works', () => {
    expect(final.lines.join('\n')).toMatch(/HOME=\/tmp/);
    expect(final.lines.some((l) => /^VOLUME/.test(l))).toBe(false);
  });

  it('keeps the build context small with .dockerignore', () => {
    const ignored = readFileSync(`${ROOT}.dockerignore`, 'utf8').split('\n');
    for (const entry of ['node_modules', 'dist', '.git', 'test']) expect(ignored).toContain(entry);
  });
});

import { diffSnapshot } from '../../../src/controller/kube/informer-diff.js';
import type { TaskObject } from '../../../src/controller/kube/task-shape.js';

function task(name: string, rv: string): TaskObject {
  return { metadata: { name, namespace: 'ns', resourceVersion: rv } };
}

describe('diffSnapshot', () => {
  it('reports nothing when a relist replays unchanged objects', () => {
    const cache = new Map([
      ['ns/a', task('a', '5')],
      ['ns/b', task('b', '6')],
    ]);
    expect(diffSnapshot(cache, [task('a', '5'), task('b', '6')])).toEqual([]);
  });

  it('reports adds, changed versions and vanished objects', () => {
    const cache = new Map([
      ['ns/a', task('a', '5')],
      ['ns/gone', task('gone', '6')],
    ]);
    const changes = diffSnapshot(cache, [task('a', '9'), task('new', '10')]);
    expect(changes.map((c) => [c.type, c.key])).toEqual([
      ['update', 'ns/a'],
      ['add', 'ns/new'],
      ['delete', 'ns/gone'],
    ]);
  });
});

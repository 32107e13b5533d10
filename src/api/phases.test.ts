import { PHASES, canTransition, isPhase, isTerminal, type Phase } from './phases.js';

describe('phases', () => {
  it('treats only Complete and Failed as terminal', () => {
    expect(PHASES.filter((p) => isTerminal(p))).toEqual(['Complete', 'Failed']);
    expect(isTerminal(undefined)).toBe(false);
  });

  it('recognises phase names and nothing else', () => {
    expect(PHASES.every(isPhase)).toBe(true);
    expect(isPhase('Done')).toBe(false);
    expect(isPhase(3)).toBe(false);
  });

  const table: [Phase | undefined, Phase, boolean][] = [
    [undefined, 'Pending', true],
    [undefined, 'Complete', true],
    ['Pending', 'Waiting', true],
    ['Pending', 'Running', true],
    ['Pending', 'Failed', true],
    ['Waiting', 'Running', true],
    ['Running', 'Running', true],
    ['Running', 'Complete', true],
    ['Running', 'Pending', false],
    ['Running', 'Waiting', false],
    ['Waiting', 'Pending', false],
    ['Complete', 'Complete', true],
    ['Complete', 'Failed', false],
    ['Complete', 'Running', false],
    ['Failed', 'Pending', false],
  ];

  it.each(table)('moving from %s to %s is allowed: %s', (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });

  it('lets a new attempt go back to Pending, but never out of a terminal phase', () => {
    expect(canTransition('Running', 'Pending', { newAttempt: true })).toBe(true);
    expect(canTransition('Failed', 'Pending', { newAttempt: true })).toBe(false);
  });
});

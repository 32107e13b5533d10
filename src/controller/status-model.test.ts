import { Reasons } from '../api/index.js';
import type { Task, TaskStatus } from '../api/index.js';
import { nextStatus, shouldRetry } from './status-model.js';
import type { AttemptReport, TaskRecord } from './task-record.js';

const NOW = new Date('2026-01-02T03:04:05Z');

function task(status?: TaskStatus, retries = 0): Task {
  return {
    apiVersion: 'taskrouter.io/v1alpha1',
    kind: 'Task',
    metadata: { name: 't', namespace: 'default', uid: 'u1', generation: 1 },
    spec: { command: 'echo', retries },
    ...(status ? { status } : {}),
  };
}

function report(state: AttemptReport['state'], extra: Partial<AttemptReport> = {}): AttemptReport {
  return {
    seq: 1,
    state,
    reason:
      state === 'COMPLETE'
        ? Reasons.Completed
        : state === 'FAILED'
          ? Reasons.ExitCode
          : Reasons.Started,
    message: '',
    exitCode: state === 'COMPLETE' ? 0 : state === 'FAILED' ? 3 : null,
    signal: null,
    startTimeMs: Date.parse('2026-01-02T03:04:00Z'),
    endTimeMs:
      state === 'COMPLETE' || state === 'FAILED' ? Date.parse('2026-01-02T03:04:01Z') : null,
    output: 'hello world\n',
    outputTruncated: false,
    ...extra,
  };
}

function record(rep?: AttemptReport, index = 0, retryAtMs?: number): TaskRecord {
  return {
    uid: 'u1',
    key: 'default/t',
    nextAttempt: index + 1,
    current: {
      index,
      agentId: 'agent-a',
      stage: 'onAgent',
      sinceMs: 1,
      ...(rep ? { report: rep } : {}),
    },
    ...(retryAtMs !== undefined ? { retryAtMs } : {}),
  };
}

describe('nextStatus', () => {
  it('marks a freshly dispatched attempt with its agent and the Dispatched condition', () => {
    const s = nextStatus(task(), record(), NOW);
    expect(s).toMatchObject({
      phase: 'Pending',
      agent: 'agent-a',
      attempts: 1,
      observedGeneration: 1,
    });
    expect(s.conditions?.find((c) => c.type === 'Dispatched')?.status).toBe('True');
    expect(s.conditions?.find((c) => c.type === 'Succeeded')?.status).toBe('Unknown');
  });

  it('writes Complete with exit code, times and output from a COMPLETE report', () => {
    const s = nextStatus(task(), record(report('COMPLETE')), NOW);
    expect(s).toMatchObject({
      phase: 'Complete',
      reason: 'Completed',
      exitCode: 0,
      output: 'hello world\n',
      startTime: '2026-01-02T03:04:00Z',
      completionTime: '2026-01-02T03:04:01Z',
    });
    expect(s.conditions?.find((c) => c.type === 'Succeeded')?.status).toBe('True');
  });

  it('never changes a terminal status, whatever arrives late', () => {
    const done = nextStatus(task(), record(report('COMPLETE')), NOW);
    const late = nextStatus(task(done), record(report('RUNNING')), NOW);
    expect(late).toBe(done);
  });

  it('does not move a Running task back to Waiting on a reordered report', () => {
    const running = nextStatus(task(), record(report('RUNNING')), NOW);
    const s = nextStatus(task(running), record(report('WAITING')), NOW);
    expect(s.phase).toBe('Running');
  });

  it('returns an equal status when nothing changed, so no write is needed', () => {
    const first = nextStatus(task(), record(report('RUNNING')), NOW);
    const again = nextStatus(
      task(first),
      record(report('RUNNING')),
      new Date(NOW.getTime() + 5000),
    );
    expect(again).toEqual(first);
  });

  it('goes back to Pending with reason Retrying when a failed attempt will be retried', () => {
    const s = nextStatus(task(undefined, 2), record(report('FAILED'), 0, 123), NOW);
    expect(s).toMatchObject({ phase: 'Pending', reason: 'Retrying', exitCode: 3, attempts: 1 });
    expect(s.completionTime).toBeUndefined();
  });

  it('starts the next attempt clean, without the previous exit code or output', () => {
    const failed = nextStatus(task(undefined, 2), record(report('FAILED'), 0, 123), NOW);
    const s = nextStatus(task(failed, 2), record(report('RUNNING', { output: '' }), 1), NOW);
    expect(s).toMatchObject({ phase: 'Running', attempts: 2 });
    expect(s.exitCode).toBeUndefined();
    expect(s.output).toBeUndefined();
  });

  it('records why a task waits when no agent fits', () => {
    const s = nextStatus(
      task(),
      {
        uid: 'u1',
        key: 'default/t',
        nextAttempt: 0,
        unschedulable: { reason: 'NoMatchingAgent', message: 'no agent has accelerator=gpu' },
      },
      NOW,
    );
    expect(s).toMatchObject({ phase: 'Pending', reason: 'NoMatchingAgent' });
    expect(s.conditions?.find((c) => c.type === 'Dispatched')).toMatchObject({
      status: 'False',
      reason: 'NoMatchingAgent',
    });
  });

  it('keeps only the tail of a long output and flags it truncated', () => {
    const long = 'x'.repeat(20000) + 'END';
    const s = nextStatus(task(), record(report('COMPLETE', { output: long })), NOW);
    expect(s.output?.endsWith('END')).toBe(true);
    expect(s.output?.length).toBeLessThanOrEqual(16384);
    expect(s.outputTruncated).toBe(true);
  });
});

describe('shouldRetry', () => {
  it.each([
    [Reasons.ExitCode, 0, 1, true],
    [Reasons.Timeout, 0, 1, true],
    [Reasons.AgentLost, 1, 1, false],
    [Reasons.Cancelled, 0, 3, false],
    [Reasons.StartFailed, 0, 3, false],
  ] as const)('after %s on attempt %i with %i retries: %p', (reason, index, retries, expected) => {
    expect(shouldRetry(task(undefined, retries), index, reason)).toBe(expected);
  });
});

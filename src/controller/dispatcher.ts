import type { Task } from '../api/index.js';
import { ConnectionResetError, RequestTimeoutError } from '../agent/request-client.js';
import { ErrorCode } from '../protocol/index.js';
import type { RunTask } from '../protocol/index.js';
import type { Reservation, TaskDemand } from '../router/index.js';
import type { AgentEntry } from './agent-directory.js';
import type { EngineContext } from './engine-types.js';
import { EventReason } from './kube/index.js';
import type { TaskRecord } from './task-record.js';

/** An agent that left a RUNTASK unanswered gets no work for this many dispatch deadlines. */
const QUARANTINE_FACTOR = 10;

/** Builds the RUNTASK of a Task's attempt. */
export function runTaskFor(task: Task, attempt: number, demand: TaskDemand): RunTask {
  const spec = task.spec;
  return {
    verb: 'RUNTASK',
    uid: task.metadata.uid ?? '',
    attempt,
    executor: spec.executor ?? 'PROCESS',
    command: spec.command,
    args: spec.args ?? [],
    env: (spec.env ?? []).map((e) => ({ name: e.name, value: e.value ?? '' })),
    workingDir: spec.workingDir ?? '',
    timeoutMs: (spec.timeoutSeconds ?? 0) * 1000,
    cpuMillis: demand.cpuMillis,
    memoryBytes: demand.memoryBytes,
  };
}

/**
 * Sends one attempt to an agent. An OK puts the attempt on the agent; a typed refusal gives the
 * room back and the Task goes back to the pending queue for another agent (same attempt: it
 * never ran); a missed deadline leaves the attempt in doubt until the agent's held lists say
 * whether it arrived, because sending it elsewhere could run it twice.
 */
export async function dispatch(
  ctx: EngineContext,
  record: TaskRecord,
  task: Task,
  agent: AgentEntry,
  reservation: Reservation,
  demand: TaskDemand,
): Promise<void> {
  const attempt = record.current;
  if (attempt === undefined) return;
  const started = ctx.now();
  const log = ctx.logger.child({ task: record.key, agent: agent.id, attempt: attempt.index });
  try {
    const reply = await ctx.directory
      .client(agent)
      .request(runTaskFor(task, attempt.index, demand), ctx.timings.dispatchTimeoutMs);
    if (record.current !== attempt) return; // superseded meanwhile
    if (reply.kind === 'OK') {
      attempt.stage = 'onAgent';
      attempt.accepted = true;
      record.reservation = reservation;
      record.changedAtMs = ctx.now();
      ctx.metrics.dispatched((ctx.now() - started) / 1000);
      log.debug('dispatched');
      ctx.events.record(task, {
        type: 'Normal',
        reason: EventReason.Dispatched,
        action: 'Dispatch',
        note: `attempt ${attempt.index + 1} sent to agent ${agent.id}`,
      });
      ctx.queue.add(record.key);
      return;
    }
    ctx.router.release(reservation);
    ctx.metrics.dispatchFailed(reply.code);
    log.info({ code: reply.code, detail: reply.message }, 'agent refused task');
    if (reply.code === ErrorCode.QueueFull) markFull(ctx, agent.id);
    if (reply.code === ErrorCode.ShuttingDown) ctx.directory.drain(agent.id);
    requeue(ctx, record);
  } catch (err) {
    if (record.current !== attempt) return;
    if (err instanceof RequestTimeoutError || err instanceof ConnectionResetError) {
      // Unknown outcome: keep the room taken and wait for the agent's held lists; meanwhile the
      // agent gets no more work.
      attempt.stage = 'inDoubt';
      attempt.doubtSinceMs = ctx.now();
      ctx.directory.quarantine(agent.id, ctx.timings.dispatchTimeoutMs * QUARANTINE_FACTOR);
      record.reservation = reservation;
      ctx.metrics.dispatchFailed('Timeout');
      log.warn({ err: err.message }, 'no answer to RUNTASK; waiting for the agent to say');
      return;
    }
    ctx.router.release(reservation);
    ctx.metrics.dispatchFailed('Error');
    log.error({ err }, 'dispatch failed');
    requeue(ctx, record);
  }
}

/** Puts an attempt that never reached an agent back in line, keeping its index. */
export function requeue(ctx: EngineContext, record: TaskRecord): void {
  if (record.current !== undefined) record.nextAttempt = record.current.index;
  delete record.current;
  delete record.reservation;
  ctx.queue.add(record.key);
}

/** The agent said it is full: take it out of picks until its next heartbeat. */
function markFull(ctx: EngineContext, agentId: string): void {
  const view = ctx.router.get(agentId);
  if (view === undefined) return;
  ctx.router.report(agentId, { ...view.free, slots: 0, queue: 0 });
}

/** Asks the agent holding the current attempt to kill it; the report arrives as STATUS. */
export function sendCancel(ctx: EngineContext, record: TaskRecord): void {
  const attempt = record.current;
  if (attempt === undefined) return;
  const agent = ctx.directory.get(attempt.agentId);
  if (agent === undefined) return;
  ctx.directory
    .client(agent)
    .request(
      { verb: 'CANCEL', uid: record.uid, attempt: attempt.index },
      ctx.timings.dispatchTimeoutMs,
    )
    .then((reply) => {
      if (reply.kind === 'ERROR' && reply.code === ErrorCode.NotFound) {
        // The agent holds nothing: whatever ran is over, and its report (if any) has come.
        attempt.stage = 'ended';
        ctx.queue.add(record.key);
      }
    })
    .catch((err: unknown) => {
      ctx.logger.warn({ task: record.key, agent: attempt.agentId, err }, 'cancel not confirmed');
    });
}

import type { Task } from '../api/index.js';
import { taskDemand } from '../router/index.js';
import { dispatch } from './dispatcher.js';
import type { EngineContext } from './engine-types.js';
import type { PendingItem } from './pending-queue.js';

/**
 * One scheduling pass: every pending Task in order (priority, then age) gets the best agent that
 * fits, best effort: a Task that fits nowhere stays pending with its reason and does not block
 * the ones behind it that fit elsewhere. Room is taken at once, before RUNTASK goes out.
 */
export function schedulePass(ctx: EngineContext): void {
  if (!ctx.canAct()) return;
  const skipped: PendingItem[] = [];
  for (let item = ctx.pending.pop(); item !== undefined; item = ctx.pending.pop()) {
    const task = ctx.task(item.key);
    const record = task === undefined ? undefined : ctx.records.get(task.metadata.uid ?? '');
    if (
      task === undefined ||
      record === undefined ||
      task.metadata.deletionTimestamp !== undefined
    ) {
      continue;
    }
    if (record.current !== undefined && record.current.stage !== 'ended') continue;
    const demand = taskDemand(task.spec);
    const { result, reservation } = ctx.router.pickAndReserve(demand);
    if (result.kind !== 'picked' || reservation === undefined) {
      const reason = result.kind === 'picked' ? 'NoCapacity' : result.kind;
      const message = unschedulableMessage(task, reason, ctx.directory.size);
      if (record.unschedulable?.reason !== reason || record.unschedulable.message !== message) {
        record.unschedulable = { reason, message };
        ctx.queue.add(item.key);
      }
      skipped.push(item);
      continue;
    }
    const agent = ctx.directory.get(result.agent.id);
    if (agent === undefined) {
      ctx.router.release(reservation);
      skipped.push(item);
      continue;
    }
    delete record.unschedulable;
    delete record.retryAtMs;
    record.current = {
      index: record.nextAttempt,
      agentId: agent.id,
      stage: 'dispatching',
      sinceMs: ctx.now(),
    };
    record.nextAttempt += 1;
    const created = Date.parse(task.metadata.creationTimestamp ?? '');
    if (!Number.isNaN(created)) ctx.metrics.queueWait(Math.max(0, Date.now() - created) / 1000);
    void dispatch(ctx, record, task, agent, reservation, demand);
  }
  for (const item of skipped) ctx.pending.upsert(item);
}

function unschedulableMessage(task: Task, reason: string, agents: number): string {
  const selector = task.spec.agentSelector;
  const wants = [
    `executor ${task.spec.executor ?? 'PROCESS'}`,
    ...(task.spec.resources?.cpu !== undefined ? [`cpu ${String(task.spec.resources.cpu)}`] : []),
    ...(task.spec.resources?.memory !== undefined
      ? [`memory ${String(task.spec.resources.memory)}`]
      : []),
    ...(selector !== undefined ? [`selector ${JSON.stringify(selector)}`] : []),
  ].join(', ');
  return reason === 'NoMatchingAgent'
    ? `none of ${agents} live agents offers ${wants}`
    : `every agent that fits (${wants}) is full; waiting for room`;
}

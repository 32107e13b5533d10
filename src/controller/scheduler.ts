import type { Task } from '../api/index.js';
import { matchesSelector, taskDemand } from '../router/index.js';
import type { Router, TaskDemand } from '../router/index.js';
import { failInvalidSpec } from './reconcile.js';
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
    let demand: TaskDemand;
    let picked: ReturnType<Router['pickAndReserve']>;
    try {
      demand = taskDemand(task.spec);
      picked = ctx.router.pickAndReserve(demand);
    } catch (err) {
      // One Task the router cannot take (a number out of range) must not stop the others.
      failInvalidSpec(ctx, record, err);
      continue;
    }
    const { result, reservation } = picked;
    if (result.kind !== 'picked' || reservation === undefined) {
      const reason = result.kind === 'picked' ? 'NoCapacity' : result.kind;
      const message = unschedulableMessage(ctx, demand, task, reason);
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

/**
 * Why nothing fits, in terms a person can act on: which of the Task's demands no live agent
 * meets (executor, labels, total capacity), or that the fitting agents are full.
 */
function unschedulableMessage(
  ctx: EngineContext,
  demand: TaskDemand,
  task: Task,
  reason: string,
): string {
  const agents = ctx.router.agents();
  if (reason !== 'NoMatchingAgent') {
    return `every agent that fits this Task is full (slots and queue); it runs when room frees up`;
  }
  if (agents.length === 0) return 'no agent is registered';
  const withExecutor = agents.filter((a) => a.executors.includes(demand.executor));
  if (withExecutor.length === 0) {
    return `none of ${agents.length} live agents offers executor ${demand.executor}`;
  }
  const selected = withExecutor.filter((a) => matchesSelector(a.labels, demand.selector));
  if (selected.length === 0) {
    return `none of ${withExecutor.length} live agents with executor ${demand.executor} matches agentSelector ${JSON.stringify(task.spec.agentSelector ?? {})}`;
  }
  const want = [
    demand.cpuMillis > 0 ? `cpu ${demand.cpuMillis}m` : '',
    demand.memoryBytes > 0 ? `memory ${demand.memoryBytes} bytes` : '',
  ]
    .filter((w) => w !== '')
    .join(' and ');
  return `none of ${selected.length} matching agents has ${want} in total`;
}

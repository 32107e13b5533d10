import type { Incoming } from '../agent/router-server.js';
import { ErrorCode } from '../protocol/index.js';
import type { Heartbeat, Register, Reply, StatusReport } from '../protocol/index.js';
import { waitForAck } from './acks.js';
import { refKey } from './agent-directory.js';
import type { AgentEntry } from './agent-directory.js';
import type { EngineContext } from './engine-types.js';
import { requeue } from './dispatcher.js';
import { failAttempt, recordFor, scheduleRetry } from './reconcile.js';
import { shouldRetry } from './status-model.js';
import { Reasons } from '../api/index.js';
import { matchesSelector } from '../router/index.js';
import type { Task } from '../api/index.js';
import { toAttemptReport } from './report.js';
import type { TaskRecord } from './task-record.js';

const OK: Reply = { kind: 'OK', fields: [] };

/** Options of the principal's request handler. */
export interface PrincipalHandlerOptions {
  /** The leader's principal endpoint for REDIRECT replies, when known. */
  leaderEndpoint(): string;
}

/**
 * Answers the agents: REGISTER and HEARTBEAT keep the directory and the router heap current
 * and reconcile what each agent holds with what the controller believes; STATUS is answered
 * only once the report is stored in the Task's status (see acks.ts). A standby answers every
 * request with REDIRECT, so no agent attaches to the wrong replica.
 */
export function principalHandler(
  ctx: EngineContext,
  options: PrincipalHandlerOptions,
): (incoming: Incoming) => Promise<Reply> | Reply {
  return (incoming) => {
    if (!ctx.canAct()) {
      return {
        kind: 'ERROR',
        code: ErrorCode.Redirect,
        message: 'this controller replica is not the leader',
        detail: options.leaderEndpoint(),
      };
    }
    const body = incoming.body;
    switch (body.verb) {
      case 'REGISTER':
        return onRegister(ctx, body);
      case 'HEARTBEAT':
        return onHeartbeat(ctx, body);
      case 'STATUS':
        return onStatus(ctx, body);
      default:
        return {
          kind: 'ERROR',
          code: ErrorCode.UnknownVerb,
          message: `frame 1: the principal does not serve ${body.verb}`,
          detail: '',
        };
    }
  };
}

function onRegister(ctx: EngineContext, msg: Register): Reply {
  const known = ctx.directory.get(msg.instanceId);
  if (known !== undefined && known.endpoint !== msg.endpoint && ctx.directory.isLive(known)) {
    // Two live agents under one id would steal each other's work; the first keeps it.
    return {
      kind: 'ERROR',
      code: ErrorCode.Unauthorized,
      message: `frame 3: instance id ${msg.instanceId} is in use by a live agent at ${known.endpoint}; give each agent its own --instance-id`,
      detail: '',
    };
  }
  const entry = ctx.directory.register(msg);
  doubtMissing(ctx, entry);
  ctx.logger.info(
    { agent: msg.instanceId, endpoint: msg.endpoint, held: msg.held.length },
    'agent registered',
  );
  reconcileHeld(ctx, entry);
  ctx.scheduleSoon();
  return OK;
}

function onHeartbeat(ctx: EngineContext, msg: Heartbeat): Reply {
  const entry = ctx.directory.heartbeat(msg);
  if (entry === undefined) return unknownAgent(msg.instanceId);
  reconcileHeld(ctx, entry);
  ctx.scheduleSoon();
  return OK;
}

async function onStatus(ctx: EngineContext, msg: StatusReport): Promise<Reply> {
  const agent = ctx.directory.get(msg.instanceId);
  if (agent === undefined) return unknownAgent(msg.instanceId);
  agent.lastSeenMs = ctx.now();
  const record = ctx.records.get(msg.uid) ?? adoptUnknown(ctx, msg.uid);
  if (record === undefined) return OK; // no such Task any more: nothing to store
  const current = record.current;
  if (current !== undefined && msg.attempt < current.index) return OK; // an older attempt
  if (
    current !== undefined &&
    msg.attempt === current.index &&
    current.agentId !== msg.instanceId
  ) {
    return OK; // this attempt is another agent's: nothing to store
  }
  if (current === undefined || msg.attempt > current.index) {
    // An attempt we did not send (an earlier leader did): believe it only from an agent that
    // could have been given this Task.
    const refusal = implausible(ctx, record, agent.id);
    if (refusal !== undefined) return refusal;
    adopt(ctx, record, msg.attempt, msg.instanceId);
  }
  const attempt = record.current;
  if (attempt === undefined) return OK;
  if (attempt.report === undefined || msg.seq > attempt.report.seq) {
    attempt.report = toAttemptReport(msg);
    attempt.accepted = true;
    record.changedAtMs = ctx.now();
    if (attempt.stage !== 'ended') attempt.stage = 'onAgent';
    if (msg.reason === Reasons.AgentShutdown) ctx.directory.drain(agent.id);
    if (msg.state === 'COMPLETE' || msg.state === 'FAILED') endAttempt(ctx, record);
  }
  if (msg.state !== 'COMPLETE' && msg.state !== 'FAILED') {
    // An in-between state is answered at once: if it is lost with this controller, the agent's
    // held lists and its final report still tell the next one. Holding the answer would also
    // hold the agent's next report for this task behind it.
    ctx.queue.add(record.key);
    return OK;
  }
  const acked = waitForAck(record, msg.attempt, msg.seq);
  ctx.queue.add(record.key);
  await acked;
  return OK;
}

/** A finished attempt gives its room back and, when it failed and may retry, plans the retry. */
function endAttempt(ctx: EngineContext, record: TaskRecord): void {
  const attempt = record.current;
  if (attempt === undefined) return;
  attempt.stage = 'ended';
  if (record.reservation !== undefined) {
    ctx.router.release(record.reservation);
    delete record.reservation;
  }
  const report = attempt.report;
  const task = ctx.task(record.key);
  if (
    report?.state === 'FAILED' &&
    task !== undefined &&
    task.metadata.deletionTimestamp === undefined
  ) {
    if (shouldRetry(task, attempt.index, report.reason)) scheduleRetry(ctx, record);
  }
  ctx.scheduleSoon();
}

/** Makes an attempt the agent proves it holds the record's current one (controller restart). */
function adopt(ctx: EngineContext, record: TaskRecord, index: number, agentId: string): void {
  ctx.pending.remove(record.key);
  delete record.retryAtMs;
  record.current = { index, agentId, stage: 'onAgent', sinceMs: ctx.now(), accepted: true };
  record.nextAttempt = Math.max(record.nextAttempt, index + 1);
}

function adoptUnknown(ctx: EngineContext, uid: string): TaskRecord | undefined {
  for (const task of ctx.informer.list()) {
    if (task.metadata?.uid === uid) return recordFor(ctx, task as Task);
  }
  return undefined;
}

/**
 * Squares an agent's held list with the records: a held attempt we did not know of is adopted
 * (the previous leader sent it); an attempt we left in doubt is settled: held means it arrived,
 * missing after the grace period means it never did and goes back in line.
 */
function reconcileHeld(ctx: EngineContext, agent: AgentEntry): void {
  for (const ref of agent.held) {
    const [uid = '', attemptText = ''] = ref.split('#');
    const index = Number(attemptText);
    const record = ctx.records.get(uid) ?? adoptUnknown(ctx, uid);
    if (record === undefined) continue;
    const current = record.current;
    if (current === undefined || index > current.index) {
      if (implausible(ctx, record, agent.id) === undefined) {
        adopt(ctx, record, index, agent.id);
        ctx.queue.add(record.key);
      }
    } else if (current.agentId !== agent.id) {
      continue; // another agent's attempt
    } else if (index === current.index && current.stage === 'inDoubt') {
      current.stage = 'onAgent';
      current.accepted = true;
    }
  }
  for (const record of ctx.records.values()) {
    const current = record.current;
    if (current?.agentId !== agent.id || current.stage !== 'inDoubt') continue;
    if (agent.held.has(refKey({ uid: record.uid, attempt: current.index }))) continue;
    const since = current.doubtSinceMs ?? current.sinceMs;
    if (ctx.now() - since < ctx.timings.inDoubtGraceMs) continue;
    if (current.accepted === true) {
      // The agent had it and has it no more, with nothing to report: it restarted and lost it.
      failAttempt(
        ctx,
        record,
        Reasons.AgentLost,
        `agent ${agent.id} came back without attempt ${current.index + 1}; it restarted mid-run`,
      );
      continue;
    }
    // Never arrived: the same attempt goes out again.
    if (record.reservation !== undefined) ctx.router.release(record.reservation);
    requeue(ctx, record);
  }
}

/**
 * A fresh REGISTER from an agent we knew: attempts we believe it holds but it does not list may
 * have finished with their reports still on the way, or died with a restarted agent. They are
 * put in doubt; a report or a held list settles them, else the grace period does.
 */
function doubtMissing(ctx: EngineContext, agent: AgentEntry): void {
  for (const record of ctx.records.values()) {
    const current = record.current;
    if (current?.agentId !== agent.id || current.stage !== 'onAgent') continue;
    if (agent.held.has(refKey({ uid: record.uid, attempt: current.index }))) continue;
    current.stage = 'inDoubt';
    current.doubtSinceMs = ctx.now();
  }
}

/** An ERROR when `agentId` lacks the executor or labels the record's Task asks for. */
function implausible(ctx: EngineContext, record: TaskRecord, agentId: string): Reply | undefined {
  const task = ctx.task(record.key);
  const view = ctx.router.get(agentId);
  if (task === undefined || view === undefined) return undefined;
  const executor = task.spec.executor ?? 'PROCESS';
  if (view.executors.includes(executor) && matchesSelector(view.labels, task.spec.agentSelector)) {
    return undefined;
  }
  ctx.logger.warn(
    { task: record.key, agent: agentId },
    'report from an agent the Task does not fit',
  );
  return {
    kind: 'ERROR',
    code: ErrorCode.Unauthorized,
    message: `agent ${agentId} does not fit Task ${record.key} (executor or agentSelector); the report is refused`,
    detail: '',
  };
}

function unknownAgent(id: string): Reply {
  return {
    kind: 'ERROR',
    code: ErrorCode.UnknownAgent,
    message: `agent ${id} is not registered with this controller; send REGISTER`,
    detail: '',
  };
}

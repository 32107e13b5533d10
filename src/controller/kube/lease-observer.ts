import type { V1Lease } from '@kubernetes/client-node';

/**
 * Remembers, on our monotonic clock, when a Lease was last seen to change. The lease's own
 * timestamps come from another node's wall clock and are only compared for equality, never
 * against our time.
 */
export class LeaseObserver {
  private lastKey: string | undefined;
  private lastHolder: string | undefined;
  private changedAt = 0;

  constructor(private readonly now: () => number) {}

  /** The holder seen last (undefined when the lease is free). */
  get holder(): string | undefined {
    return this.lastHolder;
  }

  /** Records a read of the lease; says whether it or its holder changed since the last one. */
  observe(lease: V1Lease): { changed: boolean; holderChanged: boolean } {
    const rawHolder = lease.spec?.holderIdentity;
    const holder = rawHolder === undefined || rawHolder === '' ? undefined : rawHolder;
    // Compared for equality only. Typed as a Date, but the client hands MicroTime over as the
    // raw string, so both are accepted.
    const renew = String(lease.spec?.renewTime ?? '');
    const key = `${holder ?? ''}\u0000${renew}\u0000${lease.metadata?.resourceVersion ?? ''}`;
    const changed = key !== this.lastKey;
    const holderChanged = this.lastKey === undefined || holder !== this.lastHolder;
    if (changed) {
      this.lastKey = key;
      this.changedAt = this.now();
    }
    this.lastHolder = holder;
    return { changed, holderChanged };
  }

  /** How long, in ms on our clock, the lease has looked the same. */
  unchangedForMs(): number {
    return this.lastKey === undefined ? 0 : this.now() - this.changedAt;
  }
}

/** The part of a zeromq.js socket a SendQueue uses. */
export interface SendTarget {
  readonly closed: boolean;
  send(frames: Buffer[]): Promise<void>;
}

/**
 * Sends multipart messages on one socket in call order. zeromq.js allows one send in flight per
 * socket; a send on an idle socket goes out within the call, not a promise turn later, which keeps
 * a round trip's reply off the back of whatever else the loop has queued.
 */
export class SendQueue {
  private readonly waiting: Buffer[][] = [];
  private busy = false;

  constructor(
    private readonly socket: SendTarget,
    /** Called with a failed send; the message is dropped and the queue goes on. */
    private readonly onError: (err: unknown) => void,
  ) {}

  send(frames: Buffer[]): void {
    if (this.busy) this.waiting.push(frames);
    else this.write(frames);
  }

  private write(frames: Buffer[]): void {
    if (this.socket.closed) {
      this.waiting.length = 0;
      return;
    }
    this.busy = true;
    this.socket.send(frames).then(
      () => {
        this.next();
      },
      (err: unknown) => {
        this.onError(err);
        this.next();
      },
    );
  }

  private next(): void {
    this.busy = false;
    const frames = this.waiting.shift();
    if (frames !== undefined) this.write(frames);
  }
}

// The life of a kernel event fd the poller watches (an inotify instance, a fanotify group): read
// on the main thread until EAGAIN, a bounded number of reads a round, and closed only after the
// poller let go of it — closing an fd a poll(2) still holds would race with fd reuse. Each owner
// decodes its own bytes; this holds what the two kinds of fd do alike.
import { ERRNO } from './errno.js';
import { close, read } from './fd-io.js';
import { addPollClient, removePollClient, type PollClient } from './poller.js';

const { EAGAIN, EINTR } = ERRNO;

/** Hands a newly opened fd's owner to the poller; when the poller cannot take it, closes the fd and throws. */
export function startPolling(client: PollClient): void {
  try {
    addPollClient(client);
  } catch (error) {
    close(client.fd);
    throw error;
  }
}

export class PolledFd {
  private state: 'open' | 'closing' | 'closed' = 'open';
  private closing: Promise<void> | null = null;

  /** `client` is the owner, as it was given to `addPollClient`. */
  constructor(private readonly client: PollClient) {}

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /**
   * Reads into `buf` while the fd is open, at most `maxReads` times, handing each read's byte
   * count to `onBytes`; stops at EAGAIN or end of file, retries EINTR. Returns the errno of a
   * failed read (a bug of the caller's or the kernel's: the owner says so), else null.
   */
  drain(buf: Buffer, maxReads: number, onBytes: (length: number) => void): number | null {
    for (let i = 0; i < maxReads && this.state === 'open'; i++) {
      const result = read(this.client.fd, buf, buf.length);
      if (result.value < 0) {
        if (result.errno === EAGAIN) return null;
        if (result.errno === EINTR) continue;
        return result.errno;
      }
      if (result.value === 0) return null;
      onBytes(result.value);
    }
    return null;
  }

  /** Stops polling, then closes the fd and calls `released` (once, however often it is called). */
  close(released: () => void = () => undefined): Promise<void> {
    this.closing ??= this.shutDown(released);
    return this.closing;
  }

  private async shutDown(released: () => void): Promise<void> {
    this.state = 'closing';
    await removePollClient(this.client);
    this.state = 'closed';
    close(this.client.fd);
    released();
  }
}

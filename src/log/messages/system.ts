// Sentences for the system edge: ffi-rs that cannot load, the process-events connector, the
// datagram sockets behind sd_notify and the journal.

export const systemMessages = {
  ffiUnavailable: (reason: string): string => `ffi-rs cannot be loaded on this system (${reason})`,
  procConnectorFailed: (call: string, errno: string): string =>
    `the process-events connector: ${call} failed (${errno})`,
  socketNameTooLong: (name: string): string => `socket name is too long: ${name}`,
  socketFailed: (errno: string): string => `cannot make a unix datagram socket: ${errno}`,
  sendFailed: (name: string, errno: string): string => `sending to ${name} failed: ${errno}`,
  /** A call where only a bug or a broken system can explain the failure (eventfd, poll). */
  callFailed: (call: string, errno: string, path: string | null): string =>
    path === null ? `${call} failed with ${errno}` : `${call} failed on ${path} with ${errno}`,
} as const;

// Whether a logger writes debug lines: tracing every kernel event costs a call per event even when
// filtered out, so the kernel back-ends trace only then. A logger without levels traces.
import type { Logger } from '../../log/logger.js';

export function isDebug(logger: Logger): boolean {
  const probe = (logger as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled;
  return typeof probe !== 'function' || probe.call(logger, 'debug');
}

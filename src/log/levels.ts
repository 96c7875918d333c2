// The log levels, in their own module so the command line can name them without loading the
// logger (winston) itself.
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

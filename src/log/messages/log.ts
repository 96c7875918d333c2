// Sentences about the log itself: a log file that cannot be written and comes back, the journal.

export const logFileMessages = {
  failed: (file: string, errno: string) =>
    `watchtabd: cannot write the log file ${file} (${errno}); commands go on, log lines are counted and dropped, and writing is retried (every 1 to 10 s)`,
  recovered: (file: string, lost: number, errno: string, since: string) =>
    `the log file ${file} could not be written from ${since} (${errno}): ${lost} log line${lost === 1 ? '' : 's'} lost`,
} as const;

// Sentences for `watchtab edit`: where it refuses to work, what it repaired, where an edit is kept.

const octal = (mode: number) => `0${(mode & 0o7777).toString(8)}`;

export const msgEdit = {
  unsafeFolderOwner: (folder: string, uid: number) =>
    `${folder} is owned by uid ${uid}, neither root nor you: its owner could swap the watchtab while it is installed; move the watchtab to a folder only root (or you) controls`,
  unsafeFolderMode: (folder: string, mode: number) =>
    `${folder} is writable by group or others (mode ${octal(mode)}) and not sticky: another user could swap the watchtab while it is installed; chmod go-w ${folder}, or move the watchtab`,
  notRegularFile: (file: string) => `${file} is not a regular file`,
  danglingLink: (file: string) => `${file} is a symbolic link to a file that does not exist`,
  repairedMode: (file: string, from: number, to: number) =>
    `${file} was writable by group or others (mode ${octal(from)}), which watchtabd refuses: installed with mode ${octal(to)}`,
  repairedOwner: (file: string, uid: number) =>
    `${file} was owned by uid ${uid}, not root, which watchtabd (as root) refuses: installed owned by root`,
  editorFailed: (status: number, file: string) =>
    `the editor exited with status ${status}; ${file} is unchanged`,
  noChanges: (file: string) => `no changes made to ${file}`,
  installed: (file: string) => `installed ${file}`,
  unchanged: (file: string) => `${file} is unchanged`,
  editAgain: (file: string) => `${file} has problems and was not installed. Edit again? [y/N] `,
  editKept: (copy: string) => `your edit is kept in ${copy}`,
} as const;

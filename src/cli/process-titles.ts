/** The process names `listen` takes (/proc/<pid>/comm, at most 15 bytes), so another lanmsg can tell what it is. */
export const PROCESS_TITLES = {listen: 'lanmsg-listen', respond: 'lanmsg-respond'} as const

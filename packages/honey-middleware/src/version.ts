/** Package version, for the reporter's User-Agent. */
export const VERSION = '0.1.0';

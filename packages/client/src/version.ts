/** Package version, sent in the client's User-Agent. */
export const VERSION = '0.1.0';

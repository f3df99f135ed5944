/** tsupervisor's version and the supervisor API version it speaks (reference §7). */
export const VERSION = '0.1.0';
export const API_VERSION = '3.0';
/** The supervisor release whose behaviour tsupervisor reproduces. */
export const SUPERVISOR_COMPAT = '4.2.5';

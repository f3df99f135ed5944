/**
 * `top`'s code, which scripts/bundle.mjs bundles apart (dist/tsupervisorctl-top.cjs) so the
 * ctl's main bundle, read by every command, does not grow with it. Values shared with the main
 * bundle (the Ctl, its clients, the faults they throw) are its copies, not this bundle's: tell
 * faults apart with faultOf (by name), never with instanceof.
 */
export { runPlain } from './plain.js';
export { runScreen } from './screen.js';

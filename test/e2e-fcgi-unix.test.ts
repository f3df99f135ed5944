// The seed scenario over a Unix socket (socket_owner=nobody:nogroup, socket_mode=0660) so that
// nginx's worker, running as nobody, can connect.
import { defineFcgiSuite } from './fcgi-suite.js';

defineFcgiSuite({ socket: 'unix' });

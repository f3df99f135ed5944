// The seed scenario over TCP: nginx → fastcgi_pass 127.0.0.1:<port> → six Go workers sharing
// the daemon's socket on fd 0. Ports come from the OS (tests run two files at once).
import { defineFcgiSuite } from './fcgi-suite.js';

defineFcgiSuite({ socket: 'tcp' });

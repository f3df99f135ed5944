/** XML-RPC on the wire: the codec is shared with tsupervisorctl, which speaks it to supervisord. */
export * from '@tsupervisor/protocol/xmlrpc';

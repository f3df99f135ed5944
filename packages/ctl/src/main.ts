console.log('tsupervisorctl: not yet');

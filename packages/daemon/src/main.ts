console.log('tsupervisord: not yet');

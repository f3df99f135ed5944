// Placeholder: the native addon and exec shim are built here (see native/README.md).
console.log('native: nothing to build yet');

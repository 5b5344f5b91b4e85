// Placeholder until the native kernel lands: installation must always succeed.
console.log('brevity: native matmul kernel not built yet (portable path will be used)');

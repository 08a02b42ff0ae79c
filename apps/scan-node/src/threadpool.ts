// Imported first by main.ts. Every spooled message costs a few fsyncs, which run on libuv's thread pool (4
// threads by default); with many sessions at once they queue behind each other. libuv reads the size when the
// pool first starts, so this must run before any asynchronous file operation.
process.env.UV_THREADPOOL_SIZE ??= '16';

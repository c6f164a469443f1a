// `npm start` at the repository root lands here: the control plane on embedded SQLite
// (./data/lobster.sqlite beside this file unless DATABASE_URL says otherwise), on http://127.0.0.1:4000.
process.chdir(new URL('.', import.meta.url).pathname);
await import('@lobster/control-plane/main');

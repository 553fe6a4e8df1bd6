// Pure logic, no I/O: `*.spec.ts`.
module.exports = require('./jest.preset')('spec');

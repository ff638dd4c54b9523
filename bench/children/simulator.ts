// The ORD simulator in a process of its own, for the paced suites: arrival times are stamped by a process that does nothing
// else, as ORD's would be, not by an event loop that is also running GraphQL. Prints {"baseUrl", "port"}; exits when stdin closes.

import { startOrdSimulator, type StartOptions } from '../../src/simulators/ord/server.js';
import { exitWithParent } from './exitWithParent.js';

const options = JSON.parse(process.argv[2] ?? '{}') as StartOptions;
const sim = await startOrdSimulator(options);
process.stdout.write(`${JSON.stringify({ baseUrl: sim.baseUrl, port: sim.port })}\n`);

exitWithParent(() => sim.close(), 20);

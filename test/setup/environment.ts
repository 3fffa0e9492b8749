/**
 * jest's node environment, in a process where node:sqlite is already loaded, quietly. Node warns
 * that SQLite is experimental the first time a process loads it. The mock's loadSqlite silences
 * that one warning through the process object it sees, but a test's is jest's copy, not the one
 * Node warns through: every worker, and a run in band (npm run test:fuzz), printed it. Loaded
 * here, in jest's own realm and through the same function, it is loaded once per process, and
 * the tests' loads find it loaded.
 */
import NodeEnvironment from 'jest-environment-node';
import { loadSqlite } from '../../mock-server/store/database';

loadSqlite();

export default NodeEnvironment;

import { MemoryTier } from '../../../src/cache/tiers/memory.ts';
import { tierContract } from './contract.ts';

tierContract('memory', () => ({ tier: new MemoryTier(16 * 1024 * 1024) }));

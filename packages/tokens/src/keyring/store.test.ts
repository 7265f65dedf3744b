import { runKeyringStoreConformance } from '@bulwark/testkit';
import { memoryKeyringStore } from './store.js';

runKeyringStoreConformance('memory', () => memoryKeyringStore());

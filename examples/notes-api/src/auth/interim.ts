// TEMPORARY (issue #16): until @bulwark/redis' redisRefreshTokenStore lands (branch
// h-rtredis), REDIS_URL keeps refresh families in each process's memory. Removed before the
// final commit.
import { memoryRefreshTokenStore, type RefreshTokenStore } from '@bulwark/tokens';

export const redisRefreshTokenStore = (_: { client: unknown }): RefreshTokenStore => memoryRefreshTokenStore();

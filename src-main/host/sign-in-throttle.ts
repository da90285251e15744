import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';

/**
 * Sign-in throttling on a team host (issue 12 items 2 and 6), the "login endpoint protection"
 * pattern of `rate-limiter-flexible`: failed attempts are counted per source address and per
 * account (the email, lower-cased); past either limit, sign-in from that address or for that
 * account is refused for a while, even with the right password, so guessing is slow whether one
 * address tries many accounts or many addresses try one. A success clears the account's count.
 * Invitation codes (192 random bits) are throttled per address the same way.
 */
export interface SignInLimits {
  /** Failed sign-ins or joins from one address per window. */
  perAddress: number;
  /** Failed sign-ins for one account per window. */
  perAccount: number;
  windowSeconds: number;
  /** How long a limit, once reached, refuses everything. */
  blockSeconds: number;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = {
  perAddress: 30,
  perAccount: 10,
  windowSeconds: 15 * 60,
  blockSeconds: 15 * 60,
};

export class SignInThrottle {
  private readonly byAddress: RateLimiterMemory;
  private readonly byAccount: RateLimiterMemory;

  constructor(readonly limits: SignInLimits = DEFAULT_SIGN_IN_LIMITS) {
    this.byAddress = new RateLimiterMemory({
      keyPrefix: 'sign-in-address',
      points: limits.perAddress,
      duration: limits.windowSeconds,
      blockDuration: limits.blockSeconds,
    });
    this.byAccount = new RateLimiterMemory({
      keyPrefix: 'sign-in-account',
      points: limits.perAccount,
      duration: limits.windowSeconds,
      blockDuration: limits.blockSeconds,
    });
  }

  /** Seconds to wait when the address or the account is over its limit, else null. */
  async refusal(address: string, account: string | null): Promise<number | null> {
    const [fromAddress, forAccount] = await Promise.all([
      this.byAddress.get(address),
      account ? this.byAccount.get(accountKey(account)) : Promise.resolve(null),
    ]);
    const waits = [over(fromAddress, this.limits.perAddress), over(forAccount, this.limits.perAccount)].filter(
      (s): s is number => s !== null,
    );
    return waits.length ? Math.max(...waits) : null;
  }

  /** A wrong password, an unknown email or a bad code: counted against both. */
  async failed(address: string, account: string | null): Promise<void> {
    await Promise.all([
      this.byAddress.consume(address).catch(() => undefined),
      account ? this.byAccount.consume(accountKey(account)).catch(() => undefined) : undefined,
    ]);
  }

  async succeeded(account: string): Promise<void> {
    await this.byAccount.delete(accountKey(account));
  }
}

const accountKey = (email: string) => email.trim().toLowerCase();

function over(res: RateLimiterRes | null, points: number): number | null {
  if (!res || res.consumedPoints < points) return null;
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}

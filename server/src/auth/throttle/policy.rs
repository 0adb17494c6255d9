//! The lock policy: how many failures are free, how locks grow, when a key
//! starts over; and a key's failures as every store holds them.

/// How a kind of key is throttled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Failures allowed before the first lock.
    pub free: i64,
    /// The first lock, in seconds; each further failure doubles it.
    pub base: i64,
    /// The longest lock, in seconds.
    pub max: i64,
    /// Seconds without a failure after which a key starts from zero.
    pub reset: i64,
}

impl Policy {
    /// Per account name: five tries, then 1 s, 2 s, 4 s … up to 15 min, so an
    /// attacker gets fewer than 20 guesses an hour.
    pub const ACCOUNT: Policy = Policy {
        free: 5,
        base: 1,
        max: 15 * 60,
        reset: 60 * 60,
    };
    /// Per client address: generous, since offices and carriers put many
    /// people behind one address; it stops one machine trying many accounts.
    pub const CLIENT: Policy = Policy {
        free: 50,
        base: 1,
        max: 15 * 60,
        reset: 60 * 60,
    };
    /// Per client address presenting introspection credentials: a service
    /// that holds the secret gets it right, so ten misses, then growing
    /// locks; counted apart from the address's sign-ins.
    pub const INTROSPECTION: Policy = Policy {
        free: 10,
        base: 1,
        max: 15 * 60,
        reset: 60 * 60,
    };

    /// The longest reset period of any policy: a counter quiet this long
    /// counts for nothing.
    pub(super) const LONGEST_RESET: i64 = max(
        Policy::ACCOUNT.reset,
        max(Policy::CLIENT.reset, Policy::INTROSPECTION.reset),
    );

    /// How long a key with `failures` stays locked after its last failure.
    pub fn lock_after(&self, failures: i64) -> i64 {
        if failures < self.free {
            return 0;
        }
        let doublings = (failures - self.free).min(30) as u32;
        self.base.saturating_mul(1 << doublings).min(self.max)
    }
}

/// A key's failures, as a store holds them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failures {
    pub count: i64,
    pub last_at: i64,
}

impl Failures {
    /// Seconds until the key may try again, if it is locked at `now`.
    pub(super) fn locked_for(&self, policy: &Policy, now: i64) -> Option<i64> {
        let lock = policy.lock_after(self.count);
        // Free tries left: no lock, even when another request recorded a
        // failure after this one read the clock (`last_at` a second past
        // `now`), which would otherwise read as a lock of one second.
        if lock == 0 || now - self.last_at >= policy.reset {
            return None;
        }
        let until = self.last_at + lock;
        (until > now).then_some(until - now)
    }
}

/// `Ord::max` is not `const`.
const fn max(a: i64, b: i64) -> i64 {
    if a > b {
        a
    } else {
        b
    }
}

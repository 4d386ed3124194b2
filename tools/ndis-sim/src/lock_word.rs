//! The spin-lock word protocol, alone and generic over the atomic that holds the word.
//!
//! A `KSPIN_LOCK` is one pointer-sized word. Here `0` means free and any other value names the
//! owning virtual processor (`processor index + 1`), which is what lets the verifier see
//! "owner == this processor" (a self-deadlock) instead of spinning forever.
//!
//! The protocol is test-and-test-and-set: one `compare_exchange(FREE → owner)` with `Acquire`
//! ordering; while it fails, spin on relaxed loads until the word reads free, then try again.
//! Release is `compare_exchange(owner → FREE)` with `Release` ordering, so a release by a
//! processor that does not own the word fails instead of freeing someone else's lock.
//!
//! The module is generic over [`AtomicWord`] so that the same code runs on real atomics in the
//! simulator and under the `loom` model checker in `tests/loom_lock_word.rs`, which proves
//! mutual exclusion and that no update made under the lock is lost.

use core::sync::atomic::{AtomicU64, Ordering};

/// The value of a free lock word.
pub const FREE: u64 = 0;

/// The word value that marks `processor` as the owner.
#[must_use]
pub const fn owner_word(processor: usize) -> u64 {
    processor as u64 + 1
}

/// The processor that a non-free word names, if any.
#[must_use]
pub fn owner_of(word: u64) -> Option<usize> {
    if word == FREE {
        None
    } else {
        usize::try_from(word - 1).ok()
    }
}

/// The three atomic operations the protocol needs, plus the hint used while spinning.
pub trait AtomicWord {
    /// A relaxed load (used only to wait until the word looks free).
    fn load_relaxed(&self) -> u64;
    /// `compare_exchange` with `Acquire` on success and `Relaxed` on failure.
    ///
    /// # Errors
    /// The current value when it was not `current`.
    fn cas_acquire(&self, current: u64, new: u64) -> Result<u64, u64>;
    /// `compare_exchange` with `Release` on success and `Relaxed` on failure.
    ///
    /// # Errors
    /// The current value when it was not `current`.
    fn cas_release(&self, current: u64, new: u64) -> Result<u64, u64>;
    /// Called once per spin iteration: a CPU pause hint, or a yield point under a model checker.
    fn relax();
}

impl AtomicWord for AtomicU64 {
    fn load_relaxed(&self) -> u64 {
        self.load(Ordering::Relaxed)
    }
    fn cas_acquire(&self, current: u64, new: u64) -> Result<u64, u64> {
        self.compare_exchange(current, new, Ordering::Acquire, Ordering::Relaxed)
    }
    fn cas_release(&self, current: u64, new: u64) -> Result<u64, u64> {
        self.compare_exchange(current, new, Ordering::Release, Ordering::Relaxed)
    }
    fn relax() {
        core::hint::spin_loop();
    }
}

/// What the caller of [`acquire`] wants after one more round of spinning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spin {
    /// Keep spinning.
    Continue,
    /// Give up without taking the lock (the simulator uses this to break a detected deadlock
    /// or to stop a processor when the machine has halted).
    Abandon,
}

/// How an [`acquire`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Acquired {
    /// The word now names the caller; `contended` tells whether the first attempt failed.
    Taken {
        /// The first attempt found the lock held.
        contended: bool,
    },
    /// `on_spin` returned [`Spin::Abandon`]; the word was not changed by the caller.
    Abandoned,
}

/// One attempt to take the word for `owner`.
///
/// # Errors
/// The current word (the holder) when the lock is not free.
pub fn try_acquire<W: AtomicWord + ?Sized>(word: &W, owner: u64) -> Result<(), u64> {
    word.cas_acquire(FREE, owner).map(|_| ())
}

/// Takes the word for `owner`, spinning while it is held. `on_spin` is called with the current
/// holder before each round of waiting.
pub fn acquire<W: AtomicWord + ?Sized>(
    word: &W,
    owner: u64,
    mut on_spin: impl FnMut(u64) -> Spin,
) -> Acquired {
    let mut contended = false;
    loop {
        let mut holder = match try_acquire(word, owner) {
            Ok(()) => return Acquired::Taken { contended },
            Err(holder) => holder,
        };
        contended = true;
        while holder != FREE {
            if on_spin(holder) == Spin::Abandon {
                return Acquired::Abandoned;
            }
            W::relax();
            holder = word.load_relaxed();
        }
    }
}

/// Frees the word if `owner` holds it.
///
/// # Errors
/// The current word when `owner` does not hold the lock (nothing is changed then).
pub fn release<W: AtomicWord + ?Sized>(word: &W, owner: u64) -> Result<(), u64> {
    word.cas_release(owner, FREE).map(|_| ())
}

//! The spin-lock word protocol of `ndis_sim::lock_word`, model-checked with loom: every
//! interleaving (within loom's bounds) of processors taking the lock, updating data under it
//! and releasing it. Proves mutual exclusion (loom's `UnsafeCell` panics on overlapping
//! access) and that no update is lost; and shows the model can fail, on a broken protocol.
//! Runs under plain `cargo test`. Two processors only: with three, the spin loops make the
//! state space too large for the test budget (loom's path limit is hit after minutes).

use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::sync::atomic::{AtomicU64, Ordering};
use ndis_sim::lock_word::{self, AtomicWord, FREE, Spin, owner_word};

/// The real protocol's orderings on a loom atomic.
struct Word(AtomicU64);

impl AtomicWord for Word {
    fn load_relaxed(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
    fn cas_acquire(&self, current: u64, new: u64) -> Result<u64, u64> {
        self.0
            .compare_exchange(current, new, Ordering::Acquire, Ordering::Relaxed)
    }
    fn cas_release(&self, current: u64, new: u64) -> Result<u64, u64> {
        self.0
            .compare_exchange(current, new, Ordering::Release, Ordering::Relaxed)
    }
    fn relax() {
        loom::thread::yield_now();
    }
}

/// A broken protocol: test, then set (not one atomic step).
struct BrokenWord(AtomicU64);

impl AtomicWord for BrokenWord {
    fn load_relaxed(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
    fn cas_acquire(&self, current: u64, new: u64) -> Result<u64, u64> {
        let seen = self.0.load(Ordering::Acquire);
        if seen != current {
            return Err(seen);
        }
        self.0.store(new, Ordering::Relaxed);
        Ok(seen)
    }
    fn cas_release(&self, current: u64, new: u64) -> Result<u64, u64> {
        self.0
            .compare_exchange(current, new, Ordering::Release, Ordering::Relaxed)
    }
    fn relax() {
        loom::thread::yield_now();
    }
}

/// `threads` processors each add 1 under the lock; the total must be `threads`.
fn increments<W: AtomicWord + Send + Sync + 'static>(word: W, threads: usize) {
    let lock = Arc::new(word);
    let data = Arc::new(UnsafeCell::new(0u64));
    let handles: Vec<_> = (0..threads)
        .map(|cpu| {
            let lock = Arc::clone(&lock);
            let data = Arc::clone(&data);
            loom::thread::spawn(move || {
                let got = lock_word::acquire(&*lock, owner_word(cpu), |_| Spin::Continue);
                assert!(matches!(got, lock_word::Acquired::Taken { .. }));
                // SAFETY: under the lock (loom checks that no other access overlaps).
                data.with_mut(|p| unsafe { *p += 1 });
                lock_word::release(&*lock, owner_word(cpu)).expect("the owner releases");
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread");
    }
    // SAFETY: every thread has finished.
    let total = data.with(|p| unsafe { *p });
    assert_eq!(
        total, threads as u64,
        "an update made under the lock was lost"
    );
    assert_eq!(lock.load_relaxed(), FREE);
}

#[test]
fn mutual_exclusion_and_no_lost_update_two_processors() {
    loom::model(|| increments(Word(AtomicU64::new(FREE)), 2));
}

#[test]
fn only_the_owner_releases() {
    loom::model(|| {
        let lock = Arc::new(Word(AtomicU64::new(FREE)));
        let other = Arc::clone(&lock);
        lock_word::try_acquire(&*lock, owner_word(0)).expect("free");
        let t = loom::thread::spawn(move || lock_word::release(&*other, owner_word(1)));
        assert_eq!(t.join().expect("thread"), Err(owner_word(0)));
        assert_eq!(lock.load_relaxed(), owner_word(0));
        lock_word::release(&*lock, owner_word(0)).expect("owner");
    });
}

#[test]
fn the_model_catches_a_broken_protocol() {
    let result = std::panic::catch_unwind(|| {
        loom::model(|| increments(BrokenWord(AtomicU64::new(FREE)), 2));
    });
    assert!(result.is_err(), "loom must find the test-then-set race");
}

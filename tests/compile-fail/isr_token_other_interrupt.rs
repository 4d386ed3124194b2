//! An ISR token is branded to its interrupt: it keeps a reference to the `InterruptShared` it
//! was made for, and opens that object's data only. Another interrupt's data cannot be reached
//! with it (there is no accessor taking a token and an object), and it cannot outlive its
//! object.
use rse1k::sync::{InterruptShared, IsrToken};

fn other<'a>(mine: &mut IsrToken<'a, u32>, theirs: &'a InterruptShared<u32>) -> &'a mut u32 {
    theirs.isr(mine)
}

fn escape(shared: InterruptShared<u32>) -> IsrToken<'static, u32> {
    // SAFETY: (for the test) as if in the ISR.
    unsafe { shared.isr_entry() }
}

fn main() {}
